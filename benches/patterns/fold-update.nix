# foldl' adding a name with // to a set of up to 500 names, 30 000 times.
builtins.length (builtins.attrNames (builtins.foldl' (acc: i: acc // { "a${toString (i - (i / 500) * 500)}" = i; }) {} (builtins.genList (i: i) 30000)))
