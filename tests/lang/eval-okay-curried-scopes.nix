# Curried lambdas share one scope per call (`Closure` in src/value/function.rs): applied to all
# their arguments at once, one at a time, partially and shared, shadowing, capturing.
let
  add = a: b: a + b;
  add3 = a: b: c: a * 100 + b * 10 + c;
  shadow = a: a: a;
  shadow3 = a: b: a: [ a b ];
  capture = x: y: [ (z: x + y + z) (w: x * w) ];
  pattern = a: { b, c ? a }: a + b + c;
  afterLet = a: b: let s = a + b; in c: s * c;
  inc = add 1;
  p1 = add3 1;
  p12 = p1 2;
  lazyArgs = a: b: if a then 1 else b;
  withInside = a: b: with { a = 10; c = 3; }; a + b + c;
  four = a: b: c: d: [ a b c d ];
  g = four 1;
  h = g 2;
  rec' = n: acc: if n == 0 then acc else rec' (n - 1) (acc + n);
in
[
  (add 1 2)
  (inc 5)
  (map inc [ 1 2 3 ])
  (map (add3 1 2) [ 3 4 ])
  (add3 1 2 3)
  (p1 2 3)
  (p12 4)
  (p12 5)
  ((add3 7) 8 9)
  (shadow 1 2)
  (shadow3 1 2 3)
  ((builtins.head (capture 1 2)) 3)
  ((builtins.elemAt (capture 4 5) 1) 6)
  (pattern 1 { b = 2; })
  (pattern 1 { b = 2; c = 5; })
  (afterLet 2 3 4)
  (builtins.sort (a: b: a > b) [ 3 1 2 ])
  (builtins.foldl' (acc: x: acc + x) 0 [ 1 2 3 ])
  ((builtins.foldl' (f: x: f x) add3 [ 1 2 ]) 5)
  (lazyArgs true (throw "not forced"))
  (withInside 1 2)
  (builtins.functionArgs (a: { x, y ? 1 }: x))
  (builtins.mapAttrs (n: v: "${n}${toString v}") { a = 1; b = 2; })
  (builtins.zipAttrsWith (n: vs: builtins.length vs) [ { a = 1; } { a = 2; b = 3; } ])
  [ (h 3 4) (g 5 6 7) (four 8 9 10 11) ((h 0) 1) (builtins.map (h 7) [ 8 9 ]) ]
  (rec' 1000 0)
]
