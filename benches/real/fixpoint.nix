# A nixpkgs-style package set on nixpkgs-lib: `lib.fix` over `lib.extends` of
# `lib.composeManyExtensions` overlays, packages written as functions of their dependencies
# (literal formals for the core packages, `lib.setFunctionArgs` for generated ones) and called
# with `lib.callPackageWith` (so `makeOverridable`, `.override`, `intersectAttrs`), a
# `mkDerivation` stand-in that provides `overrideAttrs` and computes a dependency depth through
# the fixpoint, and 70 overlays that override, replace and add packages via `final`/`prev`.
# Size: 13000 packages (dependency depth up to ~220), 70 overlays, 22750 `.override` and
# `overrideAttrs` calls.
let
  lib = import ../../../shared/nixpkgs-lib/lib;
  inherit (lib) fix extends composeManyExtensions callPackageWith setFunctionArgs genAttrs
    mapAttrs attrValues filterAttrs foldl' mod;

  mkDerivation = drvAttrs:
    let
      self = {
        name = "${drvAttrs.pname}-${drvAttrs.version}";
        buildInputs = [ ];
        patches = [ ];
      } // drvAttrs // {
        depth = 1 + foldl' (acc: d: lib.max acc d.depth) 0 self.buildInputs;
        overrideAttrs = f: mkDerivation (drvAttrs // f self);
      };
    in self;

  core = final: {
    stdenv = { inherit mkDerivation; system = "x86_64-linux"; };
    fetchurl = { url, hash }: { inherit url hash; };
    callPackage = callPackageWith final;
    zlib = final.callPackage ({ stdenv, fetchurl }: stdenv.mkDerivation {
      pname = "zlib"; version = "1.3";
      src = fetchurl { url = "https://zlib.net/zlib-1.3.tar.gz"; hash = "sha256-zlib"; };
    }) { };
    openssl = final.callPackage ({ stdenv, zlib, withZlib ? true }: stdenv.mkDerivation {
      pname = "openssl"; version = "3.0.12";
      buildInputs = lib.optional withZlib zlib;
    }) { };
    curl = final.callPackage ({ stdenv, openssl, zlib }: stdenv.mkDerivation {
      pname = "curl"; version = "8.4.0"; buildInputs = [ openssl zlib ];
    }) { };
    python3 = final.callPackage ({ stdenv, openssl, zlib, withSsl ? true }: stdenv.mkDerivation {
      pname = "python3"; version = "3.11.6"; buildInputs = [ zlib ] ++ lib.optional withSsl openssl;
    }) { };
  };

  n = 13000;
  pname = i: "lib${toString i}";
  depsOf = i: lib.unique ([ "zlib" ] ++ lib.optional (mod i 3 == 0) "openssl"
    ++ lib.optional (mod i 5 == 0) "curl" ++ lib.optional (mod i 11 == 0) "python3"
    ++ lib.optionals (mod i 50 != 0) [ (pname (i - 1)) ] ++ lib.optionals (i > 10) [ (pname (i / 2)) (pname (i / 3)) ]);
  generated = final: genAttrs (lib.genList pname n) (name:
    let i = lib.toInt (lib.removePrefix "lib" name); deps = depsOf i; in
    final.callPackage (setFunctionArgs
      (args: args.stdenv.mkDerivation {
        pname = name;
        version = "${toString (mod i 4)}.${toString (mod i 9)}";
        buildInputs = map (d: args.${d}) deps;
        enableTests = args.doCheck or false;
      })
      (genAttrs ([ "stdenv" ] ++ deps) (_: false) // { doCheck = true; })) { });

  overlay = k: final: prev:
    let touched = lib.genList (j: pname (mod (j * 40 + k * 13) n)) (n / 40); in
    genAttrs touched (name:
      if mod k 4 == 0 then prev.${name}.override { doCheck = true; }
      else if mod k 4 == 1 then prev.${name}.overrideAttrs (old: { patches = old.patches ++ [ "fix-${toString k}.patch" ]; })
      else prev.${name}.overrideAttrs (old: { version = old.version + "-ov${toString k}"; }))
    // {
      "extra${toString k}" = final.callPackage ({ stdenv, curl, python3 }: stdenv.mkDerivation {
        pname = "extra${toString k}"; version = "0.${toString k}"; buildInputs = [ curl python3 final.${pname (n - 1 - k)} ];
      }) { };
    } // lib.optionalAttrs (k == 7) {
      openssl = prev.openssl.override { withZlib = false; };
    };

  pkgs = fix (extends (composeManyExtensions (lib.genList overlay 70)) (final: core final // generated final));
  drvs = filterAttrs (_: v: v ? depth) pkgs;
in
[ (builtins.length (attrValues drvs))
  pkgs.${pname (n - 1)}.depth
  pkgs.extra69.depth
  pkgs.openssl.depth
  (foldl' (acc: p: acc + builtins.length p.patches) 0 (attrValues drvs))
  (builtins.length (lib.filter (p: p.enableTests or false) (attrValues drvs)))
  pkgs.lib41.version
  pkgs.lib1.name ]
