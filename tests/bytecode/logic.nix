# `&&`, `||` and `->` are jumps: the left side decides whether the right one runs (`JumpIfFalse`/`JumpIfTrue` to a constant result), and the right side is checked to be a Boolean (`AssertBool`).
a: b: [ (a && b) (a || b) (a -> b) ]
