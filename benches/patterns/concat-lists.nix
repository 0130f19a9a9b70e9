# concatLists of 1 200 000 two-element lists made by map.
builtins.length (builtins.concatLists (map (i: [ i (i + 1) ]) (builtins.genList (i: i) 1200000)))
