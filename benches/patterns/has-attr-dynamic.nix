# s ? "k${i}" on a 50 000-name set, 300 000 times.
let s = builtins.listToAttrs (map (i: { name = "k${toString i}"; value = i; }) (builtins.genList (i: i) 50000)); in builtins.foldl' (a: i: if s ? "k${toString i}" then a + 1 else a) 0 (builtins.genList (i: i) 300000)
