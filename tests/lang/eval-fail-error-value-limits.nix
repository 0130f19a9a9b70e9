# Values in error messages print at most 10 list items and 10 attributes in all, counted across
# the whole value as C++ Nix counts them, with `type` first.
let
  l = [ { z = 1; type = "t"; } [ 1 2 3 4 5 6 7 8 9 ] 10 11 ];
in
builtins.deepSeq l ("" + l)
