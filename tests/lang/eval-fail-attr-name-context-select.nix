# Selecting with a string that has a context.
{ a = 1; }.${(derivation { name = "x"; system = "s"; builder = "/b"; }).drvPath}
