let
  s = { a = 1; b.c = "x"; };
  shared = [ s.b s.b ];
in
{
  inherit shared;
  sum = builtins.foldl' (a: b: a + b) 0 [ s.a s.a ];
}
