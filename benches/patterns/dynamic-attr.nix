# x.${name} on a 1 000-name set, 450 000 times.
let s = builtins.listToAttrs (map (i: { name = toString i; value = i; }) (builtins.genList (i: i) 1000)); in builtins.foldl' (a: i: a + s.${toString (i - (i / 1000) * 1000)}) 0 (builtins.genList (i: i) 450000)
