# Structured attributes: every attribute as JSON in `__json` (nested values, a path copied to the store, a derivation's context), `outputs` a list, `__ignoreNulls`, a fixed output; paths as C++ Nix computes them.
let
  dep = derivation { name = "dep"; system = "x86_64-linux"; builder = "/bin/sh"; };
  sa = extra: derivation ({
    name = "sa";
    system = "x86_64-linux";
    builder = "/bin/sh";
    __structuredAttrs = true;
    args = [ "-c" "echo" ];
    nested = { a = [ 1 2.5 null true "s" ]; b."c d" = "\u00e9\n\t\"q\""; };
    dependsOn = dep;
    path = ./eval-okay-derivation-structured-attrs.nix;
    outputs = [ "out" "dev" ];
  } // extra);
in [
  (sa { }).drvPath
  (sa { }).dev.outPath
  (sa { __ignoreNulls = true; gone = null; }).drvPath
  (sa { outputHash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; outputHashMode = "recursive"; outputs = [ "out" ]; }).drvPath
]
