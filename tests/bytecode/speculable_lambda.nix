# A lambda body is speculable (applied in place by `map`, `sort`, ...) only if its scope holds nothing but plain arguments: one-argument lambdas and the inner lambda of a curried one, not pattern lambdas or the outer lambda of `a: b: ...` (whose body makes a closure).
[ (x: x * 2) (a: b: a < b) ({ a }: a) (x: let y = x; in y) ]
