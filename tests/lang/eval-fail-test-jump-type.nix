# A `TestJump` whose operand is no number falls back to the compiled comparison, which fails
# with its usual message and the branch condition's context.
let
  f = x: if x < 2 then 0 else f (x - 1);
in
f "a"
