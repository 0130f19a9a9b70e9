# `g x y` is `Call2; Swap; Call` (both arguments at once for curried lambdas and builtins); in tail position the last op is `TailCall`.
g: x: y: [ (g x y + 1) (map g [ ]) ]
