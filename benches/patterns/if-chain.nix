# an if/else-if chain, 1 000 000 times.
builtins.foldl' (a: i: a + (if i < 10 then 1 else if i < 100 then 2 else if i < 1000 then 3 else 4)) 0 (builtins.genList (i: i) 1000000)
