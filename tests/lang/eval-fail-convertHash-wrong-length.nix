builtins.convertHash { hash = "abc"; hashAlgo = "sha256"; toHashFormat = "sri"; }
