builtins.convertHash { hash = "sha256-47DEQpj8HBSa"; toHashFormat = "sri"; }
