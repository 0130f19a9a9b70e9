# compareVersions of 250 000 pairs.
builtins.foldl' (a: i: a + builtins.compareVersions "1.2.${toString i}" "1.2.${toString (i + 1)}pre") 0 (builtins.genList (i: i) 250000)
