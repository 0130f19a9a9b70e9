# typeOf and isInt over 700 000 integers.
builtins.length (builtins.filter (x: builtins.typeOf x == "int" && builtins.isInt x) (builtins.genList (i: i) 700000))
