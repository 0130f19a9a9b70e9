# match of a two-group regex on 250 000 strings.
builtins.length (builtins.filter (x: builtins.match "([a-z]+)-([0-9]+)" x != null) (builtins.genList (i: "pkg-${toString i}") 250000))
