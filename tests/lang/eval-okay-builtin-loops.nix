# filter, any, all, concatMap and foldl' run their calls in a loop frame (vm::loops): short
# circuits, non-lambda functions, functors and laziness must be as with one call at a time.
let
  functor = { __functor = self: x: x > 1; };
  lazyArg = builtins.filter (x: true) [ (throw "elements are not forced") ];
in
[
  (builtins.any (x: x) [ true (throw "any stops at the first true") ])
  (builtins.all (x: x) [ false (throw "all stops at the first false") ])
  (builtins.any (x: x) [ ])
  (builtins.all (x: x) [ ])
  (builtins.foldl' builtins.add 0 [ 1 2 3 ])
  (builtins.foldl' (a: b: a ++ [ b ]) [ ] [ 1 2 3 ])
  (builtins.filter functor [ 1 2 3 ])
  (builtins.concatMap (x: [ x x ]) [ 1 2 ])
  (builtins.length lazyArg)
  (builtins.filter (builtins.elem 2) [ [ 1 ] [ 2 ] [ 2 3 ] ])
  (let f = builtins.filter (x: x > 1); in [ (f [ 1 2 ]) (f [ 3 0 ]) ])
  # As current C++ Nix: filter looks at the list first, and at the function only if it is not
  # empty.
  (builtins.filter 1 [ ])
]
