# `if` on an integer comparison (a `TestJump`) with operands that are not evaluated integers:
# thunks still to be forced, floats, mixed int/float equality, and both branches.
let
  # A call in the body keeps it from being speculated, so it runs in a frame.
  classify = x: if x < 2 then builtins.toString x else classify (x - 2);
  eqOne = x: if x == 1 then "one" else builtins.toString x;
  lazyArg = builtins.head [ (1 + 4) ];
in
[
  (classify 7)
  (classify lazyArg)
  (classify 2.5)
  (eqOne 1)
  (eqOne 1.0)
  (eqOne 2)
  (eqOne (builtins.head [ 1 ]))
]
