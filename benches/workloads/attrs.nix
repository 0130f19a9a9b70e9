# Large attribute sets: listToAttrs, dynamic lookups, //, mapAttrs, attrNames.
let
  n = 20000;
  names = builtins.genList (i: "key${toString i}") n;
  set = builtins.listToAttrs (map (name: { inherit name; value = builtins.stringLength name; }) names);
  lookups = builtins.foldl' (acc: name: acc + set.${name}) 0 names;
  merged = builtins.foldl' (acc: i: acc // { "k${toString (i - i / 100 * 100)}" = i; }) { } (builtins.genList (i: i) 2000);
  doubled = builtins.mapAttrs (name: value: value * 2) set;
  present = builtins.length (builtins.filter (name: doubled ? ${name}) names);
in
[ lookups (builtins.length (builtins.attrNames merged)) present (builtins.attrValues doubled == map (x: x) (builtins.attrValues doubled)) ]
