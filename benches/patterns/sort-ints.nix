# sort of 200 000 integers with a lambda comparator.
builtins.length (builtins.sort (a: b: a < b) (builtins.genList (i: (i * 7919) - (i / 13) * 101) 200000))
