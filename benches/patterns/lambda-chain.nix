# foldl' applying 750 000 closures made by map.
builtins.foldl' (a: f: f a) 0 (map (i: x: x + i) (builtins.genList (i: i) 750000))
