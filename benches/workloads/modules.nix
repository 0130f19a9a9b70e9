# nixpkgs' module system (`lib.evalModules` from ../shared/nixpkgs-lib): 60 service modules,
# each declaring options (submodules, attrsOf, listOf, enums, defaults), setting each other's
# options through mkIf/mkMerge/mkDefault/mkForce, and one module reading the merged config.
let
  lib = import ../../../shared/nixpkgs-lib/lib;
  inherit (lib) mkOption mkIf mkMerge mkDefault mkForce types;
  n = 60;
  name = i: "svc${toString i}";

  service = i: { config, ... }:
    let cfg = config.services.${name i}; in
    {
      options.services.${name i} = {
        enable = mkOption { type = types.bool; default = false; };
        port = mkOption { type = types.port; default = 1000 + i; };
        level = mkOption { type = types.enum [ "debug" "info" "warn" ]; default = "info"; };
        users = mkOption {
          type = types.attrsOf (types.submodule ({ name, ... }: {
            options = {
              uid = mkOption { type = types.int; };
              groups = mkOption { type = types.listOf types.str; default = [ ]; };
              home = mkOption { type = types.str; default = "/home/${name}"; };
            };
          }));
          default = { };
        };
        settings = mkOption { type = types.attrsOf types.str; default = { }; };
      };
      config = mkMerge ([
        (mkIf cfg.enable {
          services.${name i} = {
            users = lib.genAttrs (map (u: "u${toString u}") (lib.range 0 4)) (u: {
              uid = i * 10 + lib.toInt (lib.removePrefix "u" u);
              groups = [ "wheel" (name i) ];
            });
            settings = {
              listen = "0.0.0.0:${toString cfg.port}";
              log = cfg.level;
            };
          };
          ports = [ cfg.port ];
        })
      ] ++ lib.optional (i > 0) {
        services.${name (i - 1)}.enable = mkDefault (lib.mod i 3 != 0);
      });
    };

  summary = { config, ... }: {
    options.ports = mkOption { type = types.listOf types.port; default = [ ]; };
    options.summary = mkOption { type = types.attrs; };
    config.services.${name 0}.level = mkForce "debug";
    config.summary = {
      enabled = lib.filter (s: config.services.${s}.enable) (lib.genList name n);
      users = lib.concatMap (s: lib.attrNames config.services.${s}.users) (lib.genList name n);
      ports = lib.sort (a: b: a < b) config.ports;
    };
  };

  result = lib.evalModules { modules = lib.genList service n ++ [ summary ]; };
in
{
  inherit (result.config) summary;
  services = lib.mapAttrs (_: s: { inherit (s) enable port level settings users; }) result.config.services;
}
