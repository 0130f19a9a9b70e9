# concatMap of a lambda over 1 000 000 elements.
builtins.length (builtins.concatMap (i: [ i i i ]) (builtins.genList (i: i) 1000000))
