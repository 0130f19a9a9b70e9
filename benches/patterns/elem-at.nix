# elemAt of a 100 000-element list, 700 000 times.
let l = builtins.genList (i: i) 100000; in builtins.foldl' (a: i: a + builtins.elemAt l (i - (i / 100000) * 100000)) 0 (builtins.genList (i: i) 700000)
