# sort of 100 000 sets by a field.
builtins.length (builtins.sort (a: b: a.k < b.k) (map (i: { k = (i * 7919) - (i / 13) * 101; }) (builtins.genList (i: i) 100000)))
