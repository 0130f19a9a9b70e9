# with s; a + b + c, 1 000 000 times.
let s = { a = 1; b = 2; c = 3; }; in builtins.foldl' (acc: i: acc + (with s; a + b + c + i)) 0 (builtins.genList (i: i) 1000000)
