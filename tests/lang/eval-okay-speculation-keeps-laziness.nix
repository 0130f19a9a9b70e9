# Small thunks are computed where they are made when their inputs are known (vm::speculate);
# whatever could fail stays a thunk, so laziness and errors are those of the thunk.
let
  ignore = x: 1;
  big = 9223372036854775807;
  s = { a = 1; };
  lazy = builtins.length [ (throw "never forced") ];
in
[
  (ignore (big + 1))
  (ignore (1 / 0))
  (ignore (1.0 / 0))
  (ignore (s.b))
  (ignore (- (-big - 1)))
  (ignore ("a" < 1))
  (ignore (!1))
  (s.a + 1)
  (-(2.5) * 2)
  (lazy + 1)
  ("a" + "b")
  ("a" < "b")
  (s ? a)
  (1 == 1.0)
  ([ 1 ] == [ 1 ])
]
