builtins.elemAt [ 1 2 ] 5
