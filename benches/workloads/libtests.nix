# nixpkgs lib's own test suite (../shared/nixpkgs-lib/lib/tests/misc.nix): hundreds of small
# tests over strings, lists, attrsets and generators, plus some large folds. Evaluates to [ ].
import ../../../shared/nixpkgs-lib/lib/tests/misc.nix
