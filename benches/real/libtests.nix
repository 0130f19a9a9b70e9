# nixpkgs lib's own test suite (../shared/nixpkgs-lib/lib/tests/misc.nix): hundreds of small
# tests over strings, lists, attrsets, generators, the module-free parts of lib, plus some large
# folds; evaluates to [ ] when every test passes. Size: the whole suite once, which already takes
# over 1 s on C++ Nix 2.8 (repeating it would not help: `import` results are cached).
import ../../../shared/nixpkgs-lib/lib/tests/misc.nix
