builtins.path { path = ./store-paths; foo = 1; }
