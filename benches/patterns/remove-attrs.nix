# removeAttrs of two names from a 100-name set, 30 000 times.
let s = builtins.listToAttrs (map (i: { name = "k${toString i}"; value = i; }) (builtins.genList (i: i) 100)); in builtins.foldl' (a: i: a + builtins.length (builtins.attrNames (builtins.removeAttrs s [ "k1" "k50" ]))) 0 (builtins.genList (i: i) 30000)
