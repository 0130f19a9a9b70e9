# A call in tail position is a `TailCall` (the callee replaces the caller's frame); one whose result is still used (`+ 1`) is a plain `Call`.
f: x: [ (f x) (f x + 1) ]
