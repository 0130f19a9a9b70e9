# Tail position reaches into `if` branches and `let`, `with` and `assert` bodies: each returns by itself (its own `Return`, no jump to a shared end, no `PopEnv`), so the calls there are `TailCall`s.
f: x: if x then f 1 else let y = 2; in with x; assert y > 1; f y
