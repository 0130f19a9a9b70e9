# split of a 1 300 000-byte string on a comma.
builtins.length (builtins.split "," (builtins.concatStringsSep "," (builtins.genList toString 400000)))
