# String-heavy code as in NixOS config-file generators, builtins only: rendering INI / systemd
# unit / nginx-style text from attribute sets with interpolation and concatStringsSep,
# escaping with replaceStrings (shell and XML escapes as in lib.strings), splitting the text
# back into lines and fields with `split`, prefix/suffix tests with `substring`, `toString` of
# ints, bools, paths and lists, and a hash of the generated text so the output stays short.
# Size: 7000 services rendered to ~3 MB of text, re-parsed line by line.
let
  inherit (builtins) concatStringsSep replaceStrings split substring stringLength toString
    genList length filter map attrNames foldl' isString hashString elemAt;
  mod = a: b: a - a / b * b;
  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  hasSuffix = suf: str: let ls = stringLength str; lf = stringLength suf;
    in lf <= ls && substring (ls - lf) lf str == suf;
  removePrefix = pref: str: if hasPrefix pref str then substring (stringLength pref) (-1) str else str;
  escapeShellArg = arg: "'${replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
  escapeXML = replaceStrings [ "\"" "'" "<" ">" "&" ] [ "&quot;" "&apos;" "&lt;" "&gt;" "&amp;" ];
  splitLines = s: filter isString (split "\n" s);
  mkValue = v: if builtins.isBool v then (if v then "yes" else "no")
    else if builtins.isList v then concatStringsSep " " (map mkValue v)
    else toString v;
  toINI = sections: concatStringsSep "\n" (map (sec:
    "[${sec}]\n" + concatStringsSep "\n" (map (k: "${k}=${mkValue sections.${sec}.${k}}") (attrNames sections.${sec})) + "\n")
    (attrNames sections));

  n = 7000;
  service = i: {
    Unit = {
      Description = "Service number ${toString i} <${if mod i 2 == 0 then "even" else "odd"}> & friends";
      After = [ "network.target" "svc-${toString (i - 1)}.service" ];
    };
    Service = {
      ExecStart = "/nix/store/${toString (i * 7919)}-svc/bin/svc --port ${toString (8000 + i)} --name ${escapeShellArg "it's ${toString i}"}";
      Restart = if mod i 3 == 0 then "always" else "on-failure";
      Environment = map (k: "VAR_${toString k}=${toString (i * k)}") (genList (x: x) 4);
      PrivateTmp = mod i 2 == 0;
      TimeoutSec = 30 + mod i 60;
    };
    Install.WantedBy = [ "multi-user.target" ];
  };
  units = genList (i: { name = "svc-${toString i}.service"; text = toINI (service i); }) n;
  xml = concatStringsSep "\n" (map (u: "<unit name=\"${u.name}\">${escapeXML u.text}</unit>") units);
  nginx = concatStringsSep "\n" (genList (i: ''
    server {
      listen ${toString (8000 + i)};
      server_name host${toString i}.example.org${if mod i 4 == 0 then " www.host${toString i}.example.org" else ""};
      location / { proxy_pass http://127.0.0.1:${toString (9000 + i)}; }
    }'') n);
  all = concatStringsSep "\n" (map (u: u.text) units) + nginx;
  lines = splitLines all;
  keyOf = l: let parts = split "=" l; in if length parts > 1 then elemAt parts 0 else null;
  keyCounts = foldl' (acc: l: let k = keyOf l; in
    if k == null then acc else acc // { ${k} = (acc.${k} or 0) + 1; }) { } lines;
  sections = length (filter (hasPrefix "[") lines);
  services = length (filter (l: hasSuffix ".service" l) lines);
  ports = foldl' (acc: l: if hasPrefix "  listen " l
    then acc + builtins.fromJSON (removePrefix "  listen " (replaceStrings [ ";" ] [ "" ] l)) else acc) 0 lines;
in
[ (stringLength all) (stringLength xml) (length lines) sections services keyCounts.Restart ports
  (hashString "sha256" all) (substring 0 40 (hashString "sha1" xml)) ]
