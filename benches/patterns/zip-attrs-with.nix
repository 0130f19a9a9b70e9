# zipAttrsWith over 300 000 sets of three names.
let sets = map (i: { a = i; b = i * 2; "c${toString (i - (i / 10) * 10)}" = i; }) (builtins.genList (i: i) 300000); in builtins.length (builtins.attrNames (builtins.zipAttrsWith (n: vs: builtins.length vs) sets))
