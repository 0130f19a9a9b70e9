rec {
  a = 1;
  b = a + 1;
  c = { d = b * 10; };
  e = c.d + a;
  f = x: if x == 0 then 0 else x + f (x - 1);
  g = f 4;
}
