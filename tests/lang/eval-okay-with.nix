let
  a = "static";
  s = { a = "from-with"; b = "b-with"; };
in
[
  (with s; a)
  (with s; b)
  (with { x = 1; }; with { x = 2; }; x)
  (with { x = 1; }; with { y = 2; }; x + y)
  (with s; with { b = "inner"; }; b)
  (with throw "lazy"; 1)
  (with { x = 1; }; let x = 2; in x)
  ((with { v = 3; }; y: v + y) 4)
  (with rec { p = 1; q = p + 1; }; q)
]
