let
  adder = n: x: x + n;
  add5 = adder 5;
  compose = f: g: x: f (g x);
  twice = f: compose f f;
  counter = builtins.genList (i: x: x + i) 4;
in
[
  (add5 1)
  (twice add5 0)
  (compose (x: x * 2) (x: x + 1) 3)
  (map (f: f 100) counter)
]
