# a foldl' unique by elem over 9 000 integers (quadratic in both).
let unique = builtins.foldl' (acc: e: if builtins.elem e acc then acc else acc ++ [ e ]); in builtins.length (unique [] (map (i: i - (i / 4500) * 4500) (builtins.genList (i: i) 9000)))
