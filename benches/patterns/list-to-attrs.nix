# listToAttrs of 200 000 names.
builtins.length (builtins.attrNames (builtins.listToAttrs (map (i: { name = "k${toString i}"; value = i; }) (builtins.genList (i: i) 200000))))
