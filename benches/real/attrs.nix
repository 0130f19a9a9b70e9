# Attribute-set-heavy code in the style of nixpkgs' package plumbing, builtins only:
# a callPackage that matches `functionArgs` against the package set with `intersectAttrs`,
# per-package `meta` records merged with `//` and defaults, `removeAttrs` of private fields,
# `mapAttrs`/`listToAttrs`/`attrNames`/`attrValues`, grouping by license and maintainer into
# sets keyed by dynamic `${}` names, `?`/`or` lookups, and a few "override" layers.
# Size: 24000 packages with 8-12 attributes each, 40 maintainers, 4 override layers.
let
  n = 24000;
  licenses = [ "mit" "gpl2" "gpl3" "bsd3" "asl20" "lgpl21" "mpl20" "unfree" ];
  maintainerNames = builtins.genList (i: "maint${toString i}") 40;
  maintainers = builtins.listToAttrs (map (m: {
    name = m;
    value = { name = m; email = "${m}@example.org"; github = "gh-${m}"; };
  }) maintainerNames);

  pkgName = i: "pkg-${toString i}";
  mod = a: b: a - a / b * b;

  # Each "package" is a function of some of the package set, like a file in pkgs/.
  mkPackage = i: { stdenv, lib, fetchurl, ... }@args:
    let
      deps = builtins.filter (d: args ? ${d}) [ (pkgName (i - 1)) (pkgName (i - 7)) (pkgName (i / 2)) ];
    in stdenv.mkDerivation {
      pname = pkgName i;
      version = "${toString (mod i 5)}.${toString (mod i 13)}";
      src = fetchurl { url = "https://example.org/${pkgName i}.tar.gz"; sha256 = "sha-${toString i}"; };
      buildInputs = map (d: args.${d}) deps;
      meta = {
        license = builtins.elemAt licenses (mod i 8);
        maintainers = [ maintainers.${"maint${toString (mod i 40)}"} ] ++ lib.optional (mod i 3 == 0) maintainers.maint0;
        platforms = if mod i 4 == 0 then [ "x86_64-linux" ] else [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" ];
      } // lib.optionalAttrs (mod i 10 == 0) { broken = true; };
    };

  # Argument sets in nixpkgs name their dependencies; emulate with a formal per dependency.
  fnFor = i: let f = mkPackage i; in
    builtins.listToAttrs (map (d: { name = d; value = true; }) [ (pkgName (i - 1)) (pkgName (i - 7)) (pkgName (i / 2)) ])
    // builtins.functionArgs f;

  lib = {
    optional = c: x: if c then [ x ] else [ ];
    optionalAttrs = c: s: if c then s else { };
  };
  stdenv.mkDerivation = attrs:
    let
      defaults = { outputs = [ "out" ]; strictDeps = false; meta = { }; passthru = { }; };
      full = defaults // attrs // { name = "${attrs.pname}-${attrs.version}"; };
      meta = { available = !(full.meta.broken or false); position = "pkgs/${attrs.pname}/default.nix"; } // full.meta;
    in removeAttrs full [ "passthru" "strictDeps" ] // { inherit meta; } // full.passthru;
  fetchurl = { url, sha256 }: { inherit url sha256; type = "file"; };

  callPackage = i: pkgs:
    let wanted = fnFor i;
    in mkPackage i (builtins.intersectAttrs wanted pkgs // { inherit stdenv lib fetchurl; });

  pkgs = builtins.listToAttrs (builtins.genList (i: { name = pkgName i; value = callPackage i pkgs; }) n);

  # Overrides applied in layers, each a set of changed packages merged with `//`.
  layer = k: builtins.listToAttrs (map (i: {
    name = pkgName i;
    value = pkgs.${pkgName i} // { version = "${pkgs.${pkgName i}.version}-p${toString k}"; };
  }) (builtins.genList (j: j * 17 + k) (n / 17)));
  final = builtins.foldl' (acc: k: acc // layer k) pkgs [ 1 2 3 4 ];

  # Queries over the set.
  names = builtins.attrNames final;
  available = builtins.filter (p: p.meta.available) (builtins.attrValues final);
  byLicense = builtins.foldl' (acc: p:
    acc // { ${p.meta.license} = (acc.${p.meta.license} or 0) + 1; }) { } available;
  byMaintainer = builtins.mapAttrs (m: _: builtins.length (builtins.filter
    (p: builtins.any (x: x.name == m) p.meta.maintainers) available)) maintainers;
  linuxOnly = builtins.attrNames (builtins.intersectAttrs
    (builtins.listToAttrs (map (p: { name = p.pname; value = null; })
      (builtins.filter (p: p.meta.platforms == [ "x86_64-linux" ]) available)))
    final);
  depCount = builtins.foldl' (acc: name: acc + builtins.length final.${name}.buildInputs) 0 names;
  patched = builtins.length (builtins.filter (name: builtins.match ".*-p[0-9]" final.${name}.version != null) names);
  cleaned = builtins.mapAttrs (_: p: removeAttrs p [ "src" "meta" "buildInputs" ]) final;
  fields = builtins.foldl' (acc: p: acc + builtins.length (builtins.attrNames p)) 0 (builtins.attrValues cleaned);
in
[ (builtins.length names) (builtins.length available) byLicense.mit byLicense.unfree
  byMaintainer.maint0 byMaintainer.maint39 (builtins.length linuxOnly) depCount patched fields ]
