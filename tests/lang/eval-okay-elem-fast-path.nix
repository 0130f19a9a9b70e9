# `elem` answers on the spot when no element needs evaluating, and falls back to forcing
# (and deep comparison) otherwise; both give the same answers.
let
  lazyTwo = builtins.head [ (1 + 1) ];
in
[
  (builtins.elem 2 [ 1 2 3 ])
  (builtins.elem "b" [ "a" "b" ])
  (builtins.elem 4 [ 1 2 3 ])
  (builtins.elem 2 [ 1 lazyTwo ])
  (builtins.elem { a = 1; } [ { a = 2; } { a = 1; } ])
  (builtins.elem [ 1 ] [ [ 1 ] ])
  (builtins.elem 1 [ 1.0 ])
  (builtins.elem (throw "x is not needed for an empty list") [ ])
  (builtins.elem 1 [ 1 (throw "elements after a match are not forced") ])
  (let f = x: x; in builtins.elem f [ 21 f ])
  (builtins.elem (x: x) [ (x: x) ])
]
