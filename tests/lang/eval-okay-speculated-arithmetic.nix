# Thunks and lambda bodies that are one operator on two variables or integer constants
# (`n - 1`, `i + j`, `x == 0`) are computed directly on integers; everything else (floats,
# strings, overflow, division by zero, unevaluated inputs) takes the general paths, so laziness
# and errors stay those of the thunk.
let
  big = 9223372036854775807;
  overflow = big + 1;
  byZero = 1 / zero;
  zero = 0;
  f = 1.5;
  later = builtins.length [ 1 2 ];
  dec = n: n - 1;
  isZero = x: x == 0;
  lt = a: b: a < b;
in
[
  (builtins.length [ overflow byZero ])
  (dec 10)
  (dec f)
  (map isZero [ 0 1 "a" null 0.0 ])
  (builtins.sort lt [ 3 1 2 ])
  (builtins.sort lt [ 2.5 1 1.5 ])
  (f - 1)
  (f < 2)
  (later + 1)
  (builtins.genList (i: i * i) 4)
]
