# The NixOS module system at scale, on nixpkgs-lib's `lib.evalModules`: core modules like
# NixOS's (users/groups, networking with interfaces and a firewall, systemd services,
# environment.etc, assertions), N service modules each declaring a dozen options (submodule
# `virtualHosts` with nested `locations`, `attrsOf`/`listOf`/`nullOr`/`either`/`oneOf`/`enum`
# types, `lines`, defaults computed from other options) and setting options of the core modules
# and of each other through `mkIf`/`mkMerge`/`mkDefault`/`mkForce`/`mkOverride`/`mkBefore`,
# a host configuration enabling most of them, and finally the generated option documentation
# (`lib.optionAttrSetToDocList`, which renders every default with lib.generators.toPretty).
# Size: 160 service modules (128 enabled) + 5 core modules + the host module, 4235 options in
# the documentation walk, 228 users, 160 systemd services, 131 /etc files. Prints counts and
# hashes of the generated documentation, /etc files and unit files.
let
  lib = import ../../../shared/nixpkgs-lib/lib;
  inherit (lib) mkOption mkEnableOption mkIf mkMerge mkDefault mkForce mkOverride mkBefore types
    mapAttrs mapAttrsToList attrNames attrValues filterAttrs concatStringsSep optional optionals
    optionalAttrs genList mod;
  n = 160;
  svc = i: "svc${toString i}";

  usersModule = { config, ... }: {
    options.users = {
      users = mkOption {
        default = { };
        description = "User accounts.";
        type = types.attrsOf (types.submodule ({ name, config, ... }: {
          options = {
            name = mkOption { type = types.str; default = name; description = "Login name."; };
            uid = mkOption { type = types.nullOr types.int; default = null; description = "UID."; };
            isSystemUser = mkOption { type = types.bool; default = false; description = "System user."; };
            isNormalUser = mkOption { type = types.bool; default = false; description = "Normal user."; };
            group = mkOption { type = types.str; default = ""; description = "Primary group."; };
            extraGroups = mkOption { type = types.listOf types.str; default = [ ]; description = "Groups."; };
            home = mkOption { type = types.path; default = if config.isNormalUser then "/home/${name}" else "/var/empty"; description = "Home."; };
            shell = mkOption { type = types.either types.str types.path; default = "/run/current-system/sw/bin/bash"; description = "Shell."; };
            openssh.authorizedKeys.keys = mkOption { type = types.listOf types.singleLineStr; default = [ ]; description = "SSH keys."; };
          };
        }));
      };
      groups = mkOption {
        default = { };
        description = "Groups.";
        type = types.attrsOf (types.submodule ({ name, ... }: {
          options = {
            name = mkOption { type = types.str; default = name; description = "Group name."; };
            gid = mkOption { type = types.nullOr types.int; default = null; description = "GID."; };
            members = mkOption { type = types.listOf types.str; default = [ ]; description = "Members."; };
          };
        }));
      };
    };
    config.users.groups = lib.mkMerge (mapAttrsToList (uname: u:
      { ${u.group} = { members = [ uname ]; }; } // lib.genAttrs u.extraGroups (_: { members = [ uname ]; }))
      (filterAttrs (_: u: u.group != "") config.users.users));
  };

  networkingModule = { config, ... }: {
    options.networking = {
      hostName = mkOption { type = types.strMatching "[a-z0-9-]+"; default = "nixos"; description = "Host name."; };
      domain = mkOption { type = types.nullOr types.str; default = null; description = "Domain."; };
      fqdn = mkOption { type = types.str; readOnly = true; description = "FQDN."; };
      firewall = {
        enable = mkEnableOption "the firewall" // { default = true; };
        allowedTCPPorts = mkOption { type = types.listOf types.port; default = [ ]; description = "Open TCP ports."; };
        allowedUDPPortRanges = mkOption {
          type = types.listOf (types.attrsOf types.port); default = [ ]; description = "UDP ranges."; };
        logRefusedConnections = mkOption { type = types.bool; default = true; description = "Log."; };
      };
      interfaces = mkOption {
        default = { };
        description = "Interfaces.";
        type = types.attrsOf (types.submodule {
          options = {
            useDHCP = mkOption { type = types.nullOr types.bool; default = null; description = "DHCP."; };
            mtu = mkOption { type = types.nullOr types.ints.unsigned; default = null; description = "MTU."; };
            ipv4.addresses = mkOption {
              default = [ ]; description = "Addresses.";
              type = types.listOf (types.submodule {
                options.address = mkOption { type = types.str; description = "Address."; };
                options.prefixLength = mkOption { type = types.addCheck types.int (n: n >= 0 && n <= 32); description = "Prefix."; };
              });
            };
          };
        });
      };
    };
    config.networking.fqdn = if config.networking.domain == null then config.networking.hostName
      else "${config.networking.hostName}.${config.networking.domain}";
  };

  systemdModule = { config, ... }: {
    options.systemd.services = mkOption {
      default = { };
      description = "Systemd services.";
      type = types.attrsOf (types.submodule ({ name, config, ... }: {
        options = {
          enable = mkOption { type = types.bool; default = true; description = "Enable."; };
          description = mkOption { type = types.singleLineStr; default = ""; description = "Description."; };
          wantedBy = mkOption { type = types.listOf types.str; default = [ ]; description = "WantedBy."; };
          after = mkOption { type = types.listOf types.str; default = [ ]; description = "After."; };
          requires = mkOption { type = types.listOf types.str; default = [ ]; description = "Requires."; };
          environment = mkOption { type = types.attrsOf (types.nullOr (types.oneOf [ types.str types.path types.package ])); default = { }; description = "Env."; };
          path = mkOption { type = types.listOf types.str; default = [ ]; description = "PATH."; };
          serviceConfig = mkOption { type = types.attrsOf (types.oneOf [ types.bool types.int types.str (types.listOf types.str) ]); default = { }; description = "[Service]."; };
          script = mkOption { type = types.lines; default = ""; description = "Script."; };
          restartIfChanged = mkOption { type = types.bool; default = true; description = "Restart."; };
          unitText = mkOption { type = types.str; internal = true; description = "Unit file."; };
        };
        config.unitText = concatStringsSep "\n" ([
          "[Unit]" "Description=${config.description}" "After=${concatStringsSep " " config.after}"
          "[Service]" ] ++ mapAttrsToList (k: v: "Environment=\"${k}=${toString v}\"") config.environment
          ++ mapAttrsToList (k: v: "${k}=${if builtins.isList v then concatStringsSep " " v else if builtins.isBool v then lib.boolToString v else toString v}") config.serviceConfig
          ++ [ "[Install]" "WantedBy=${concatStringsSep " " config.wantedBy}" ]);
      }));
    };
  };

  etcModule = { config, ... }: {
    options.environment.etc = mkOption {
      default = { };
      description = "Files in /etc.";
      type = types.attrsOf (types.submodule ({ name, config, ... }: {
        options = {
          target = mkOption { type = types.str; default = name; description = "Target."; };
          text = mkOption { type = types.nullOr types.lines; default = null; description = "Text."; };
          mode = mkOption { type = types.enum [ "symlink" "0400" "0440" "0444" "0600" "0644" ]; default = "symlink"; description = "Mode."; };
          user = mkOption { type = types.str; default = "+0"; description = "Owner."; };
        };
      }));
    };
    config.environment.etc = {
      hosts.text = concatStringsSep "\n" ([ "127.0.0.1 localhost" "::1 localhost" ]
        ++ [ "127.0.0.2 ${config.networking.fqdn} ${config.networking.hostName}" ]);
      passwd = { mode = "0644"; text = concatStringsSep "\n" (mapAttrsToList (name: u:
        "${name}:x:${toString (if u.uid == null then 999 else u.uid)}:${u.group}::${u.home}:${u.shell}") config.users.users); };
      group.text = concatStringsSep "\n" (mapAttrsToList (name: g:
        "${name}:x:${toString (if g.gid == null then 998 else g.gid)}:${concatStringsSep "," g.members}") config.users.groups);
    };
  };

  assertionsModule = { config, ... }: {
    options.assertions = mkOption { type = types.listOf types.unspecified; default = [ ]; internal = true; description = "Assertions."; };
    options.warnings = mkOption { type = types.listOf types.str; default = [ ]; internal = true; description = "Warnings."; };
    options.system.build.checks = mkOption { type = types.listOf types.str; readOnly = true; description = "Failed assertions."; };
    config.system.build.checks = map (a: a.message) (lib.filter (a: !a.assertion) config.assertions);
  };

  serviceModule = i: { config, ... }:
    let cfg = config.services.${svc i}; in
    {
      options.services.${svc i} = {
        enable = mkEnableOption "service ${toString i}";
        port = mkOption { type = types.port; default = 8000 + i; description = "Port of ${svc i}."; };
        openFirewall = mkOption { type = types.bool; default = mod i 3 == 0; description = "Open the port."; };
        user = mkOption { type = types.str; default = svc i; description = "User to run as."; };
        logLevel = mkOption { type = types.enum [ "debug" "info" "warn" "error" ]; default = "info"; description = "Log level."; };
        dataDir = mkOption { type = types.path; default = "/var/lib/${svc i}"; defaultText = lib.literalExpression ''"/var/lib/''${name}"''; description = "State."; };
        extraConfig = mkOption { type = types.lines; default = ""; example = "foo = bar;"; description = "Extra config."; };
        workers = mkOption { type = types.either types.ints.positive (types.enum [ "auto" ]); default = "auto"; description = "Workers."; };
        settings = mkOption {
          type = types.attrsOf (types.nullOr (types.oneOf [ types.str types.int types.bool (types.listOf types.str) ]));
          default = { }; example = { cache = "on"; }; description = "Settings.";
        };
        virtualHosts = mkOption {
          default = { }; description = "Virtual hosts.";
          type = types.attrsOf (types.submodule ({ name, ... }: {
            options = {
              serverName = mkOption { type = types.str; default = name; description = "Name."; };
              serverAliases = mkOption { type = types.listOf types.str; default = [ ]; description = "Aliases."; };
              forceSSL = mkOption { type = types.bool; default = false; description = "SSL."; };
              locations = mkOption {
                default = { }; description = "Locations.";
                type = types.attrsOf (types.submodule {
                  options.proxyPass = mkOption { type = types.nullOr types.str; default = null; description = "Proxy."; };
                  options.root = mkOption { type = types.nullOr types.path; default = null; description = "Root."; };
                  options.extraConfig = mkOption { type = types.lines; default = ""; description = "Extra."; };
                  options.priority = mkOption { type = types.int; default = 1000; description = "Order."; };
                });
              };
            };
          }));
        };
      };

      config = mkMerge ([
        (mkIf cfg.enable {
          users.users.${cfg.user} = { isSystemUser = true; group = cfg.user; uid = 400 + i; home = cfg.dataDir; };
          users.groups.${cfg.user}.gid = 400 + i;
          networking.firewall.allowedTCPPorts = mkIf cfg.openFirewall [ cfg.port ];
          systemd.services.${svc i} = {
            description = "Service ${toString i}";
            wantedBy = [ "multi-user.target" ];
            after = [ "network.target" ] ++ optional (i > 0 && config.services.${svc (i - 1)}.enable) "${svc (i - 1)}.service";
            environment = { DATA_DIR = cfg.dataDir; LOG_LEVEL = cfg.logLevel; PORT = toString cfg.port; };
            serviceConfig = {
              ExecStart = "/run/current-system/sw/bin/${svc i} --config /etc/${svc i}.conf";
              User = cfg.user;
              Restart = mkDefault "on-failure";
              PrivateTmp = true;
              TimeoutStartSec = 30 + mod i 60;
            } // optionalAttrs (cfg.workers != "auto") { LimitNPROC = cfg.workers * 64; };
          };
          environment.etc."${svc i}.conf" = {
            mode = "0440"; user = cfg.user;
            text = mkMerge [
              (mkBefore "# generated for ${svc i}")
              (concatStringsSep "\n" (mapAttrsToList (k: v: "${k} = ${if v == null then "null" else if builtins.isList v then concatStringsSep "," v else toString v}") cfg.settings))
              (concatStringsSep "\n" (mapAttrsToList (h: vh: "server ${vh.serverName} ${concatStringsSep " " vh.serverAliases} {\n"
                + concatStringsSep "\n" (map (l: "  location ${l.name} { ${lib.optionalString (l.value.proxyPass != null) "proxy_pass ${l.value.proxyPass};"} ${l.value.extraConfig} }")
                    (lib.sort (a: b: a.value.priority < b.value.priority) (mapAttrsToList lib.nameValuePair vh.locations)))
                + "\n}") cfg.virtualHosts))
              cfg.extraConfig
            ];
          };
          services.${svc i} = {
            settings = { listen = "0.0.0.0:${toString cfg.port}"; log_level = cfg.logLevel; data = cfg.dataDir; cache = mkDefault null; };
            virtualHosts."${svc i}.example.org" = {
              serverAliases = [ "www.${svc i}.example.org" ];
              locations."/".proxyPass = "http://127.0.0.1:${toString cfg.port}";
              locations."/static" = { root = "${cfg.dataDir}/static"; priority = 500; };
            };
          };
          assertions = [ { assertion = cfg.port != 22; message = "${svc i} must not use port 22"; } ];
        })
        # Services depend on their neighbours, as e.g. nextcloud enables nginx and postgresql.
      ] ++ optional (mod i 5 == 0 && i + 1 < n) (mkIf cfg.enable { services.${svc (i + 1)}.enable = mkDefault true; })
        ++ optional (mod i 7 == 0 && i > 0) (mkIf cfg.enable {
          services.${svc (i - 1)}.virtualHosts."${svc i}-proxy.example.org".locations."/${svc i}" = {
            proxyPass = "http://127.0.0.1:${toString cfg.port}"; extraConfig = "proxy_buffering off;";
          };
        }));
    };

  host = { config, ... }: {
    networking = { hostName = "bench-host"; domain = "example.org"; };
    networking.interfaces = lib.genAttrs [ "eth0" "eth1" "wlan0" ] (ifname: {
      useDHCP = ifname == "wlan0";
      ipv4.addresses = optional (ifname != "wlan0") { address = "10.0.${toString (lib.stringLength ifname)}.1"; prefixLength = 24; };
    });
    services = lib.listToAttrs (genList (i: lib.nameValuePair (svc i) (mkMerge [
      { enable = mod i 5 != 4; }
      (mkIf (mod i 4 == 0) { logLevel = mkForce "debug"; })
      (mkIf (mod i 6 == 0) { workers = 4; settings.cache = "on"; })
      (mkIf (mod i 9 == 0) { port = mkOverride 90 (20000 + i); openFirewall = true; extraConfig = "# tuned\nmax_conn = 100;"; })
    ])) n);
    systemd.services = lib.listToAttrs (genList (i: lib.nameValuePair (svc i) {
      serviceConfig.Restart = mkIf (mod i 2 == 0) "always";
    }) n);
    users.users = lib.listToAttrs (genList (u: lib.nameValuePair "user${toString u}" {
      isNormalUser = true; uid = 1000 + u; group = "users";
      extraGroups = [ "wheel" ] ++ optionals (mod u 3 == 0) [ "audio" "video" ];
      openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA${toString u} user${toString u}@host" ];
    }) 100);
  };

  eval = lib.evalModules {
    modules = [ usersModule networkingModule systemdModule etcModule assertionsModule host ]
      ++ genList serviceModule n;
  };
  inherit (eval) config options;
  docs = lib.optionAttrSetToDocList options;
  etcText = concatStringsSep "\n" (mapAttrsToList (name: f: "${name} ${f.mode} ${f.user}\n${toString f.text}") config.environment.etc);
  units = concatStringsSep "\n" (mapAttrsToList (_: s: s.unitText) config.systemd.services);
in
[ (builtins.length (lib.filter (i: config.services.${svc i}.enable) (genList (i: i) n)))
  (builtins.length (attrNames config.users.users))
  (builtins.length config.users.groups.wheel.members)
  (builtins.length config.networking.firewall.allowedTCPPorts)
  (builtins.length (attrNames config.systemd.services))
  (builtins.length (attrNames config.environment.etc))
  config.system.build.checks
  (builtins.length docs)
  (builtins.length (lib.filter (d: d.visible && !d.internal) docs))
  (builtins.hashString "sha256" (builtins.toJSON (map (d: [ d.name d.type (d.default.text or "") ]) docs)))
  (builtins.hashString "sha256" etcText)
  (builtins.hashString "sha256" units)
]
