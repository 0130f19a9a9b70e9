# A string with a context is no attribute name, dynamic ones included.
{ ${(derivation { name = "x"; system = "s"; builder = "/b"; }).drvPath} = 1; }
