# substring of a 490 000-byte string, 60 000 times.
let s = builtins.concatStringsSep "" (builtins.genList toString 100000); in builtins.foldl' (a: i: a + builtins.stringLength (builtins.substring i 5 s)) 0 (builtins.genList (i: i) 60000)
