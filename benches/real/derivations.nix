# Derivations: a chain of 22000 `derivation` calls, each depending on the previous one through
# an attribute (so every .drv's inputs include the previous .drv and its hash is computed from
# it) and on up to three earlier ones through `buildInputs`, with a few environment attributes,
# a list-valued `args`, string context carried through interpolation, and a second output on
# every tenth. Forced in order with foldl' (as a build plan would be) so the recursion stays
# shallow. Prints the count of distinct drvPaths and the last drvPath and outPaths.
# Size: 22000 derivations, ~88000 input edges (needs only `--store dummy://`).
let
  inherit (builtins) genList elemAt foldl' length;
  n = 22000;
  mod = a: b: a - a / b * b;
  drv = i: derivation ({
    name = "chain-${toString i}";
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" "echo ${toString i} > $out" ];
    version = "1.${toString (mod i 100)}";
    dep = if i == 0 then "" else elemAt chain (i - 1);
    buildInputs = map (k: elemAt chain k) (builtins.filter (k: k >= 0) [ (i - 2) (i / 2 - 1) (i - 100) ]);
    configureFlags = [ "--with-dep=${if i == 0 then "none" else (elemAt chain (i - 1)).outPath}" "--enable-${toString (mod i 7)}" ];
  } // (if mod i 10 == 0 then { outputs = [ "out" "dev" ]; } else { }));
  chain = genList drv n;
  count = foldl' (acc: d: builtins.seq d.drvPath (acc + 1)) 0 chain;
  last = elemAt chain (n - 1);
in
[ count (length (builtins.attrNames (builtins.listToAttrs (map (d: { name = builtins.unsafeDiscardStringContext d.drvPath; value = null; }) chain))))
  last.drvPath last.outPath (elemAt chain 10).dev.outPath ]
