# A list holds selections: an unparenthesised lambda is a syntax error at its colon (C++ Nix 2.8 agrees).
[ (x: x) x: x ]
