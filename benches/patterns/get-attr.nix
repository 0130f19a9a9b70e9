# getAttr and hasAttr with constant names, 800 000 times.
let s = { a = 1; b = 2; }; in builtins.foldl' (a: i: a + builtins.getAttr "b" s + (if builtins.hasAttr "a" s then 1 else 0)) 0 (builtins.genList (i: i) 800000)
