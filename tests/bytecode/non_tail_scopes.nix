# A `let` or `with` outside tail position leaves its scope with `PopEnv` after its body, and an `if` there jumps to a shared end.
x: (let a = x; in a) + (with x; b) + (if x then 1 else 2)
