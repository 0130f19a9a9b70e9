# bitXor of bitAnd over 800 000 integers.
builtins.foldl' (a: i: builtins.bitXor a (builtins.bitAnd i 255)) 0 (builtins.genList (i: i) 800000)
