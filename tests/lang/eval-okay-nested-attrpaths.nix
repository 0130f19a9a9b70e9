{
  x = { a.b = 1; a.c = 2; };
  y = { a = { b = 1; }; a.c = 2; };
  z = { a.b.c = 1; a.b.d = 2; a.e = 3; };
  w = rec { a.b = 1; c = a.b + 1; };
  v = { "quoted key".inner = true; };
  u = let s.t.u = 5; s.t.v = 6; in s;
}
