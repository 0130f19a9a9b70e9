# A speculated builtin call that fails is made again when forced, with C++ Nix's message.
let
  masked = builtins.bitAnd 12 "ff";
in
masked + 1
