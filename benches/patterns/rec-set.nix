# a rec set of three attributes, 500 000 times.
builtins.foldl' (acc: i: acc + (rec { a = i; b = a + 1; c = b + a; }).c) 0 (builtins.genList (i: i) 500000)
