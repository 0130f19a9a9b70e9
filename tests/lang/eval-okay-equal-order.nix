# `==` and `<` on lists and sets look at the elements in order and stop at the first that
# decides: an unequal pair of evaluated elements before one that throws gives the answer, one
# after it does not (the throwing element is forced first). Sets compare their values in name
# order; `elem` compares with each element in turn. (Most of these are answered without a
# generator, by `walk::equal_flat` and `walk::settled`: the results must not change.)
let
  attempt = e: (builtins.tryEval e).success;
  lazy = x: builtins.head [ x ];
in
[
  ([ 1 2 (throw "never") ] == [ 1 3 4 ])
  (attempt ([ 1 (throw "first") 3 ] == [ 1 2 4 ]))
  (attempt ([ (lazy 1) (throw "first") 3 ] == [ 1 2 4 ]))
  ([ (lazy 1) 2 [ 3 ] ] == [ 1 2 [ 3 ] ])
  ([ (lazy 1) 2 [ 3 ] ] == [ 1 2 [ 4 ] ])
  ({ a = 1; b = throw "never"; } == { a = 2; b = 2; })
  (attempt ({ a = throw "first"; b = 1; } == { a = 2; b = 2; }))
  ({ a = [ 1 { b = lazy 2; } ]; c = "x"; } == { a = [ 1 { b = 2; } ]; c = "x"; })
  ({ a = [ 1 { b = lazy 2; } ]; c = "x"; } == { a = [ 1 { b = 2; } ]; c = "y"; })
  ([ 1 2 (throw "never") ] < [ 1 3 0 ])
  (attempt ([ 1 (throw "first") 3 ] < [ 1 2 0 ]))
  ([ 1 [ 2 (lazy 3) ] 9 ] < [ 1 [ 2 3 ] 10 ])
  ([ 1 [ 2 (lazy 3) ] 9 ] < [ 1 [ 2 3 ] 8 ])
  ([ "a" "b" ] < [ "a" "b" "c" ])
  (builtins.sort builtins.lessThan [ [ 2 1 ] [ 1 (lazy 3) ] [ 1 2 ] [ 2 ] ])
  (builtins.elem [ 1 (lazy 2) ] [ [ 1 ] [ 0 (throw "never") ] [ 1 2 ] ])
  (attempt (builtins.elem [ 1 2 ] [ [ 1 (throw "first") ] [ 1 2 ] ]))
  (builtins.elem { a = 1; } [ { a = 2; } { a = lazy 1; } ])
  # Flat lists and sets of evaluated values, and derivations (compared by `outPath` alone).
  ([ "a" 1 null true 1.5 ] == [ "a" 1 null true 1.5 ])
  ([ "a" 1 ] == [ "a" 1 null ])
  ({ a = "x"; b = 1; } == { a = "x"; b = 1.0; })
  ({ a = "x"; b = 1; } == { a = "x"; c = 1; })
  ({ type = "derivation"; outPath = "/a"; x = 1; } == { type = "derivation"; outPath = "/a"; x = 2; })
  ({ type = "derivation"; outPath = "/a"; } == { type = "derivation"; outPath = "/b"; })
  ({ type = "other"; x = 1; } == { type = "other"; x = 1; })
]
