# Without structured attributes `outputs` is coerced to a string, as every attribute is.
builtins.derivationStrict { name = "a"; builder = "b"; system = "x"; outputs = { }; }
