# `let` whose bindings do not refer to each other: each value made in the enclosing scope, in source order, then `PushEnvFrom` with one slot per binding, then the body in the new scope (here in tail position: no `PopEnv`). A lambda bound in it is named after its binding (`lambda#0(f)`), and the body refers to bindings by slot.
let f = x: x; a = 1; in f a
