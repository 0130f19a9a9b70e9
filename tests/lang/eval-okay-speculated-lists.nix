# List literals of evaluated values may be made ahead of need (speculated): in a `map` over
# a list, in a `let` or `rec` whose later bindings are not yet made, with elements that are
# thunks that would fail when forced.
let
  pairs = map (i: [ i (i + 1) ]) (builtins.genList (i: i) 4);
  lazy = map (i: [ i (throw "never") ]) [ 1 2 ];
  early = let x = [ y z ]; y = 1; z = [ y ]; in x;
  r = rec { a = [ b ]; b = [ c ]; c = 3; };
  nested = map (x: [ [ x ] [ ] ]) [ 1 2 ];
in
[
  (builtins.concatLists pairs)
  (map builtins.head lazy)
  (builtins.length (builtins.elemAt lazy 1))
  early
  r.a
  r.c
  nested
  (builtins.tryEval (builtins.elemAt (builtins.elemAt lazy 0) 1)).success
]
