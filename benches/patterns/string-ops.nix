# replaceStrings and stringLength on short strings, 250 000 times.
builtins.foldl' (a: i: a + builtins.stringLength (builtins.replaceStrings ["-"] ["_"] "foo-bar-${toString i}")) 0 (builtins.genList (i: i) 250000)
