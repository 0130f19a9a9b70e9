let
  s = { a = 1; b = { c = 2; }; };
in
[
  s
  { }
  s.b.c
  (s // { b = { d = 3; }; })
  (builtins.attrNames (s // { z = 0; }))
  (rec { x = { y = x; }; }.x.y ? y)
  ({ a = 1; } == builtins.removeAttrs { a = 1; b = 2; } [ "b" ])
]
