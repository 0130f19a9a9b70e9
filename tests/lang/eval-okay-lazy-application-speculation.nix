# `map` and `genList` compute `f x` at once when `f` is a small one-argument lambda and the
# result is certain (vm::speculate::apply); anything that could fail stays a lazy application.
let
  k = 3;
  big = 9223372036854775807;
  lazyOne = builtins.head [ (builtins.add 0 1) ];
in
[
  (builtins.length (map (x: x / 0) [ 1 2 ]))
  (builtins.length (builtins.genList (i: 1 / (i - 1)) 3))
  (builtins.elemAt (builtins.genList (i: 10 / (i + 1)) 3) 2)
  (map (x: x * k) [ 1 2 ])
  (map (x: x + 1) [ (1 + 1) lazyOne ])
  (builtins.length (map (x: x + big) [ 1 ]))
  (map (x: x.a or 0) [ { a = 1; } { } ])
  (builtins.genList (i: i > 1) 3)
]
