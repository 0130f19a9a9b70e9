# concatStringsSep of 1 000 000 integers made strings by map toString.
builtins.stringLength (builtins.concatStringsSep "," (map toString (builtins.genList (i: i) 1000000)))
