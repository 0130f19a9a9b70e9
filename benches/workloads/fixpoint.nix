# nixpkgs-style package set: a fixpoint with overlays, `rec`, `with`, `inherit`.
let
  fix = f: let x = f x; in x;
  extends = overlay: f: final: let prev = f final; in prev // overlay final prev;
  base = final: builtins.listToAttrs (builtins.genList (i: {
    name = "pkg${toString i}";
    value = rec {
      name = "pkg${toString i}";
      version = "1.${toString i}";
      deps = if i == 0 then [ ] else [ final."pkg${toString (i - 1)}" ];
      size = builtins.length deps + (if i == 0 then 1 else (builtins.head deps).size);
    };
  }) 1500);
  overlay1 = final: prev: { pkg10 = prev.pkg10 // { version = "2.0"; }; };
  overlay2 = final: prev: with prev; { extra = { inherit (pkg20) name; total = pkg1499.size; }; };
  pkgs = fix (builtins.foldl' (f: o: extends o f) base [ overlay1 overlay2 ]);
in
[ pkgs.extra.total pkgs.pkg10.version (builtins.length (builtins.attrNames pkgs)) ]
