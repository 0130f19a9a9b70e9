# functionArgs of a pattern lambda, 400 000 times.
let f = { a, b ? 1 }: a; in builtins.foldl' (acc: i: acc + builtins.length (builtins.attrNames (builtins.functionArgs f))) 0 (builtins.genList (i: i) 400000)
