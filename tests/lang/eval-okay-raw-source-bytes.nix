# Source bytes that are not UTF-8 are string bytes as C++ Nix reads them, not U+FFFD.
let
  s = "ÿş";
  names = builtins.attrNames { "ÿ" = 1; a = 2; "Ã©" = 3; ${"€"} = 4; };
in
[
  (builtins.stringLength s)
  (builtins.stringLength ''xÿy'')
  (builtins.stringLength "a${s}b")
  (map builtins.stringLength names)
  (builtins.hashString "md5" (builtins.concatStringsSep "," names))
  (builtins.substring 0 1 s == builtins.substring 0 1 "ÿş")
  # A stand-in code point written out as UTF-8 stays its four bytes.
  (builtins.stringLength "ô½")
  (builtins.stringLength "ô¼")
  (builtins.hashString "md5" "ô½ÿ")
  # A comment may hold them too: ÿş
]
