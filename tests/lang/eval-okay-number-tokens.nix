# Numbers as C++ Nix tokenizes them: a float is `[1-9][0-9]*\.[0-9]*` or `0?\.[0-9]+` with an
# optional exponent, so a list splits where that pattern ends.
let
  e = "e";
  E = "E";
  e5 = "e5";
  ee3 = "ee3";
in
[ 1.5e 2.5E 0.5 00.5 1. 1.e2 .5e 0.5e3 2.5ee3 1.5e+2 3.E-1 007 01.5 ]
