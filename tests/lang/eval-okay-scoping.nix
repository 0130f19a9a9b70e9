let
  map = "shadowed builtin";
  true = false;
  a-b = 1;
  a = 5;
  b = 2;
in
[
  map
  true
  a-b
  (a - b)
  (a -b)
  (builtins.map (x: x) [ 1 ])
  (let builtins = { length = _: "fake"; }; in builtins.length [ ])
  (with builtins; length [ 1 2 ])
  (let x = 1; in let x = 2; in x)
  (let f = x: let x' = x + 1; in x'; in f 1)
]
