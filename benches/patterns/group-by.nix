# groupBy of 600 000 integers into 100 groups.
builtins.length (builtins.attrNames (builtins.groupBy (x: toString (x - (x / 100) * 100)) (builtins.genList (i: i) 600000)))
