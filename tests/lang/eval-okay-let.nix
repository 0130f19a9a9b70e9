let
  a = 1;
  b = a + 1;
  c = let a = 10; in a + b;
  f = x: x + a;
in
[ a b c (f 5) (let x = 1; y = x; in y) ]
