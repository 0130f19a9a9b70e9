# toString of 2 000 000 integers.
builtins.foldl' (a: i: a + builtins.stringLength (toString i)) 0 (builtins.genList (i: i) 2000000)
