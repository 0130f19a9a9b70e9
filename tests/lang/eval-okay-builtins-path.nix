# builtins.path and builtins.filterSource name the store paths C++ Nix adds these trees under
# (checked with nix-instantiate --readonly-mode).
let
  dir = ./store-paths;
  file = ./store-paths/a.nix;
  onlyNix = p: t: t == "directory" || builtins.match ".*\\.nix" p != null;
  # An excluded directory is not entered: the filter never sees what is below it.
  noSub = p: t:
    if baseNameOf p == "deeper" then throw "entered an excluded directory" else baseNameOf p != "sub";
in
[
  (builtins.path { path = dir; })
  (builtins.path { path = dir; name = "renamed"; })
  (builtins.path { path = toString dir; })
  (builtins.filterSource (p: t: baseNameOf p != ".hidden") dir)
  (builtins.filterSource onlyNix dir)
  (builtins.filterSource noSub dir)
  (builtins.filterSource (p: t: false) dir)
  (builtins.path { path = dir; filter = p: t: t != "directory"; name = "top-files"; })
  (builtins.path { path = file; recursive = false; })
  (builtins.path { path = file; })
  (builtins.path {
    path = file;
    recursive = false;
    sha256 = builtins.hashFile "sha256" file;
    name = "pinned";
  })
  (builtins.path {
    path = dir;
    sha256 = "1vlz0bsdfxgciw3hj4v0v98q36127nzibjf1pqxcwiab27a67983";
    name = "pinned-dir";
  })
  (builtins.attrNames (builtins.getContext (builtins.path { path = dir; })))
  # The filter sees absolute paths and file types.
  (builtins.filterSource (p: t: builtins.substring 0 1 p == "/" && builtins.elem t [ "regular" "directory" ]) dir)
]
