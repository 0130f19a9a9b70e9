let
  f = x: x;
  s = { a = 1; g = x: x * 2; };
in
[
  (builtins.length [ f 1 ])
  (builtins.length [ (f 1) ])
  (f s.a)
  (s.g 4)
  (f f 3)
  (({ a = 7; }).a)
  ((f s).a)
  (f [ 1 2 ] == [ 1 2 ])
  (builtins.map s.g [ 1 2 ])
]
