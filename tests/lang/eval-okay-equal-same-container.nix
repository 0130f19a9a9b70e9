# A set or list compared with itself: each element is the same value, forced and then equal
# whatever it holds (C++ Nix compares elements by pointer after forcing them), so a NaN inside
# does not make it unequal; an element that throws still throws.
let
  inf = 1.0e308 * 10.0;
  nan = inf - inf;
  s = { a = nan; f = x: x; };
  l = [ nan (x: x) ];
in
[
  (s == s)
  (l == l)
  ([ s ] == [ s ])
  (nan == nan)
  (builtins.tryEval ((let t = [ (throw "x") ]; in t == t))).success
  (builtins.tryEval ((let u = { a = throw "x"; }; in u == u))).success
]
