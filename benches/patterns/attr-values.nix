# attrValues of a 1 000-name set, 4 000 times.
let s = builtins.listToAttrs (map (i: { name = "k${toString i}"; value = i; }) (builtins.genList (i: i) 1000)); in builtins.foldl' (a: i: a + builtins.length (builtins.attrValues s)) 0 (builtins.genList (i: i) 4000)
