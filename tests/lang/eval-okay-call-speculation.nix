# Calls of small one-argument lambdas on evaluated values are computed without a frame
# (vm::speculate::apply_lambda); their results are still in weak head normal form, and whatever
# could fail runs as an ordinary call.
let
  get = x: x.a;
  pred = x: x == 3;
  inc = n: n + 1;
in
[
  (get { a = builtins.add 1 1; })
  (builtins.tryEval (get { a = throw "forced as the call's value"; })).success
  (builtins.filter pred [ 1 3 5 3 ])
  (inc (inc 1))
  (builtins.typeOf (get { a = x: x; }))
  (let f = x: x / 0; in builtins.length [ (f 1) ])
  (builtins.sort (a: b: a < b) [ 3 1 2 ])
  (builtins.foldl' (a: b: a + b) 0 [ 1 2 3 ])
  ((a: b: b.x) 1 { x = 5; })
  ((a: b: a.x) { x = builtins.add 1 1; } 0)
  (builtins.tryEval ((a: b: a.x) { x = throw "forced"; } 0)).success
  (let sub = a: b: a - b; in sub 10 (sub 5 1))
  (map (x: if x > 1 then x else 0) [ 1 2 3 ])
  ((x: x > 0 && x < 10) 5)
  ((x: x < 0 || x > 10) 5)
  (builtins.tryEval ((x: x && 1) false)).success
]
