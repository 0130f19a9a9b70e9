# `n + 1` overflowing is not computed where its thunk is made: the thunk reports it when forced.
let
  big = 9223372036854775807;
  next = n: n + 1;
  overflow = next big;
in
builtins.length [ overflow ] + builtins.seq overflow 1
