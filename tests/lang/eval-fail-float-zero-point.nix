# C++ Nix lexes `0.` as the integer 0 and a selection dot, never as a float.
builtins.typeOf 0.
