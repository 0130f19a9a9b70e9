# Positions of attributes and __curPos across lines, several on one line, after blank lines.
let
  b = builtins;
  s = { a = 1; bb = 2; ccc = 3; "d e" = 4; f = __curPos; };


  t = {
    x = 1;
        y = 2; z = { w = 3; };

    v = __curPos;
  };
  at = set: n: let p = b.unsafeGetAttrPos n set; in [ p.line p.column ];
  big = { k0 = 0; k1 = 1; k2 = 2; k3 = 3; k4 = 4; k5 = 5; k6 = 6; k7 = 7; k8 = 8; k9 = 9; k10 = 10; k11 = 11; };
in
{
  s = map (at s) (b.attrNames s);
  f = [ s.f.line s.f.column ];
  t = map (at t) (b.attrNames t) ++ [ (at t.z "w") [ t.v.line t.v.column ] ];
  here = [ __curPos.line __curPos.column ]; last = (at { q = 0; } "q");
  big = map (at big) (b.attrNames big);
}
