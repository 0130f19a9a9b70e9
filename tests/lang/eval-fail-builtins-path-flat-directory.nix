builtins.path { path = ./store-paths; recursive = false; }
