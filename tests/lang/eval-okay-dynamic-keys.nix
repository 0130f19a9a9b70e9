let
  k = "key";
  s = { key = 1; a.b = 2; };
in
{
  d1 = { ${k} = 1; "${k}2" = 2; "static" = 3; };
  d2 = { ${null} = 1; kept = 2; };
  d3 = { a.${"b"} = 1; a.c = 2; };
  d4 = s.${k};
  d5 = s ? ${k};
  d6 = s.a.${"b"};
  d7 = { "${"x" + "y"}" = true; };
  d8 = s."key";
  d9 = { ${k} = { inner = 1; }; }.key.inner;
  d10 = { a = { }; ${null} = throw "never"; };
}
