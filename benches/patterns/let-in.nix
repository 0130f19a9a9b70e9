# a let of three bindings, 600 000 times.
builtins.foldl' (a: i: let x = i * 2; y = x + 1; z = y * x; in a + z - x * y) 0 (builtins.genList (i: i) 600000)
