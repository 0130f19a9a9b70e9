# string interpolation of two integers, 1 500 000 times.
builtins.foldl' (a: i: a + builtins.stringLength "pkg-${toString i}-${toString (i * 2)}") 0 (builtins.genList (i: i) 1500000)
