# `builtins.name` is resolved when compiling (the global set never changes); shadowing, `or`
# defaults, missing names and `with` behave as a run-time lookup would.
let
  unused = builtins.noSuchBuiltin;
  shadowed = let builtins = { length = _: 42; }; in builtins.length [ ];
in
[
  (builtins.length [ 1 2 ])
  shadowed
  (builtins.noSuchBuiltin or "default")
  (builtins.length or null) [ 1 ]
  (with { builtins = { length = _: 0; }; }; builtins.length [ 1 2 3 ])
  (builtins.builtins.length [ ])
  (builtins ? length)
  (builtins.typeOf builtins.derivation)
]
