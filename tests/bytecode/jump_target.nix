# The peepholes do not apply where a jump lands: after the join of an `if`, `Force` stays a separate op (not fused with the `Local` of the else branch, nor dropped after its `Const`).
c: a: b: [ ((if c then a else b) + 1) ((if c then 1 else 2) + a) ]
