# replaceStrings over a 1 000 000-byte string.
builtins.stringLength (builtins.replaceStrings ["a" "b"] ["xx" "yy"] (builtins.concatStringsSep "" (builtins.genList (i: "abcab") 1200000)))
