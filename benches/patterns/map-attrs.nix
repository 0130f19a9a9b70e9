# two mapAttrs over a 120 000-name set.
let s = builtins.listToAttrs (map (i: { name = "k${toString i}"; value = i; }) (builtins.genList (i: i) 120000)); in builtins.length (builtins.attrValues (builtins.mapAttrs (n: v: v + 1) (builtins.mapAttrs (n: v: v * 2) s)))
