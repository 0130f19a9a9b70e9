# foldl' appending a character 28 000 times (quadratic in both).
builtins.stringLength (builtins.foldl' (s: i: s + "x") "" (builtins.genList (i: i) 28000))
