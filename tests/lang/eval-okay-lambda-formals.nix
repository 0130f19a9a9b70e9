let
  f = { a, b ? a + 1 }: a + b;
  g = { a ? b * 2, b }: a + b;
  h = { x, ... }: x;
  i = args@{ x, y ? 7 }: [ x y (builtins.attrNames args) ];
  j = { x, y ? 7 }@args: args;
  k = a: b: a - b;
  l = { }: "empty";
in
[
  (f { a = 1; })
  (f { a = 1; b = 10; })
  (g { b = 3; })
  (h { x = 1; y = 2; z = 3; })
  (i { x = 1; })
  (j { x = 2; })
  (k 10 3)
  ((k 10) 4)
  (l { })
  ((x: x) 5)
]
