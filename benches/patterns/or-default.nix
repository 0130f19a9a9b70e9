# s.b or i on a set without b, 1 000 000 times.
let s = { a = 1; }; in builtins.foldl' (a: i: a + (s.b or i)) 0 (builtins.genList (i: i) 1000000)
