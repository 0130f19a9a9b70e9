# A string with a context is no attribute name (C++ Nix: forceStringNoCtx).
builtins.listToAttrs [ { name = (derivation { name = "x"; system = "s"; builder = "/b"; }).drvPath; value = 1; } ]
