# A hundred int keys, 100 down to 1, then a string key. The string is compared first with the
# root of the keys' red-black tree, which (as in C++ Nix's std::set) is 69 after those inserts.
builtins.genericClosure {
  startSet = map (i: { key = i; }) (builtins.genList (i: 100 - i) 100) ++ [ { key = "a"; } ];
  operator = x: [ ];
}
