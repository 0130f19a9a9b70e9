# tryEval of a throw every other time, 120 000 times.
builtins.length (builtins.filter (i: (builtins.tryEval (if i / 2 * 2 == i then throw "x" else i)).success) (builtins.genList (i: i) 120000))
