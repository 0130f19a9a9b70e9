# a pattern lambda with defaults and ..., 400 000 calls.
let f = { a, b ? 2, c ? a + b, ... }: a + b + c; in builtins.foldl' (acc: i: acc + f { a = i; d = 1; }) 0 (builtins.genList (i: i) 400000)
