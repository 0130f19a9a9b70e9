# A lambda in parentheses bound to a name takes the name, as in C++ Nix (whose
# parentheses leave no node in the syntax tree).
let
  f = ({ x }: x);
in
f { }
