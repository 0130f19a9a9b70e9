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
]
