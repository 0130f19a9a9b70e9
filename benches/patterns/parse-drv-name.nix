# parseDrvName of 1 000 000 names.
builtins.foldl' (a: i: a + builtins.stringLength (builtins.parseDrvName "hello-world-${toString i}.2.3").version) 0 (builtins.genList (i: i) 1000000)
