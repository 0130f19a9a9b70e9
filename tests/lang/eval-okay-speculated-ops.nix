# A speculated body computes each op with the dispatch loop's own function (vm::ops): where the
# loop would fail, or hand over to a generator, speculation gives up and the thunk fails only if
# it is forced; everywhere else both give the same value.
let
  ignore = x: 1;
  s = { a = 1; };
  n = 1;
  str = "x";
  p = /a;
  q = /b;
in
[
  (ignore (-str))
  (ignore (!n))
  (ignore (with n; a))
  (ignore s.${n})
  (ignore (s.${n} or 2))
  (ignore (s ? ${n}))
  (ignore n.a)
  (ignore (if n then 1 else 2))
  (ignore (n && true))
  (ignore (true && n))
  (ignore (n || false))
  (ignore (str * 2))
  (ignore (n + str))
  (ignore (str + n))
  (ignore (1.5 / 0))
  (ignore (-9223372036854775807 - 2))
  (ignore (p < 1))
  (ignore (s < s))
  (-(-n))
  (-(1.5))
  (with s; a)
  (p < q)
  (q <= p)
  ([ 1 ] < [ 2 ])
  ([ ] == [ ])
  ({ } == { })
  (s == { a = 1; })
  (1.5 > 1)
  (2 >= 2.0)
  (s ? a)
  (!(s ? b))
  (n - 0.5)
  (str + "y")
  (p + "/c")
]
