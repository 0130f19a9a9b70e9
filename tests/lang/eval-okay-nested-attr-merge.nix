# Attribute paths and set literals defining the same set merge level by level, in either order,
# and everything a binding defines is placed at the start of its attribute path.
let
  a = { x.y.a = 1; x = { y.b = 2; }; };
  b = { x = { y.b = 2; }; x.y.a = 1; };
  c = { p = { inherit ({ q = 1; }) q; }; p.r = 2; };
  pos = builtins.unsafeGetAttrPos "b" { a.b = 1; }.a;
in
[ a b c pos.column ]
