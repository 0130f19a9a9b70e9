# attrNames of a 5 000-name set, 600 times.
let s = builtins.listToAttrs (map (i: { name = "k${toString i}"; value = i; }) (builtins.genList (i: i) 5000)); in builtins.foldl' (a: i: a + builtins.length (builtins.attrNames s)) 0 (builtins.genList (i: i) 600)
