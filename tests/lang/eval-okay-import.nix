let
  lib = import ./lib/imported.nix;
in
[
  (lib { })
  (lib { greeting = "hi"; })
  (import ./lib/value.nix)
  (import ./lib/value.nix == import ./lib/value.nix)
  (builtins.length (import (./lib + "/value.nix")))
]
