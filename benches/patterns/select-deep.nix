# s.a.b.c.d, 1 600 000 times.
let s = { a = { b = { c = { d = 1; }; }; }; }; in builtins.foldl' (a: i: a + s.a.b.c.d) 0 (builtins.genList (i: i) 1600000)
