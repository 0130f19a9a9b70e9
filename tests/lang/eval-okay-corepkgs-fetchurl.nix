# <nix/fetchurl.nix> is Nix's own file (no search-path entry needed); its derivations have C++ Nix's paths.
let f = import <nix/fetchurl.nix>; in [
  (f { url = "https://example.org/a.tar.gz"; sha256 = "0000000000000000000000000000000000000000000000000000"; }).drvPath
  (f { url = "https://example.org/b"; hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; executable = true; }).outPath
  (f { url = "https://example.org/c"; sha1 = "0000000000000000000000000000000000000000"; name = "cc"; }).drvPath
]
