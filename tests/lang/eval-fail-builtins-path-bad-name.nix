builtins.path { path = ./store-paths; name = "a~b"; }
