# fromJSON of 100 000 small objects.
let s = builtins.toJSON (builtins.genList (i: { a = i; b = "x${toString i}"; c = [ i true null ]; }) 100000); in builtins.length (builtins.fromJSON s)
