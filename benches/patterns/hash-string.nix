# hashString sha256 of 1 000 000 short strings.
builtins.foldl' (a: i: a + builtins.stringLength (builtins.hashString "sha256" "x${toString i}")) 0 (builtins.genList (i: i) 1000000)
