# sort of 200 000 strings by lessThan.
builtins.length (builtins.sort builtins.lessThan (builtins.genList (i: "s${toString ((i * 7919) - (i / 13) * 101)}") 200000))
