# Interpolations of strings, and toString of numbers, may be computed ahead of need
# (speculated); an interpolation that cannot be (an integer, a set, a path to copy, a string
# that would fail) must wait until it is forced, and the strings made keep their context.
let
  d = derivation { name = "d"; system = "x"; builder = "/b"; };
  unforced = [
    "${1}"
    "${{ }}"
    "${./eval-okay-speculated-interpolation.nix}"
    "${throw "never"}"
    (toString (throw "never"))
    "a-${toString [ 1 (throw "never") ]}"
  ];
  long = builtins.concatStringsSep "" (builtins.genList (i: "0123456789") 500);
  names = map (i: "pkg-${toString i}-${toString (i * 2)}") (builtins.genList (i: i) 3);
in
[
  (builtins.length unforced)
  names
  (builtins.stringLength "${long}${long}")
  (builtins.attrNames (builtins.getContext "${d}-suffix"))
  (builtins.hasContext "${toString d.name}")
  (builtins.tryEval "${toString 1.5}-${toString true}-${toString null}-${toString false}")
  (builtins.tryEval (builtins.elemAt unforced 3)).success
]
