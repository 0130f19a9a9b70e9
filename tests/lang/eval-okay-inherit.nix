let
  x = 1;
  y = 2;
  src = { a = "A"; b = "B"; "c d" = "CD"; };
in
{
  inherit x y;
  inherit (src) a b "c d";
  nested = rec { inherit x; z = x + 1; };
  fromLet = let inherit (src) a; in a;
  fromExpr = { inherit ({ q = 9; }) q; }.q;
}
