# derivationStrict processes attributes in name order as C++ Nix does: `outputs` is coerced to
# a string and split into words, `__contentAddressed = false` is not passed to the builder.
let
  drv = attrs: builtins.derivationStrict ({ name = "a"; builder = "b"; system = "x"; } // attrs);
in
[
  (drv { outputs = [ "out" "dev" ]; })
  (drv { outputs = "out dev"; })
  (drv { __contentAddressed = false; })
  ((drv { }).drvPath == (drv { __contentAddressed = false; }).drvPath)
]
