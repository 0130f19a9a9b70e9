# toJSON of 150 000 small sets.
builtins.stringLength (builtins.toJSON (builtins.genList (i: { a = i; b = "x${toString i}"; c = [ i true null ]; }) 150000))
