# hasAttr takes a name without context.
builtins.hasAttr (derivation { name = "x"; system = "s"; builder = "/b"; }).drvPath { }
