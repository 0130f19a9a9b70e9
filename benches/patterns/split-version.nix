# splitVersion of 200 000 version strings.
builtins.length (builtins.concatMap (i: builtins.splitVersion "1.${toString i}.3-rc${toString i}") (builtins.genList (i: i) 200000))
