# `map` and `genList` of a speculable builtin compute the elements that can be computed at
# once (`map toString`); an element that would fail, or needs evaluating or walking first,
# stays a thunk and fails only if forced.
let
  heads = map builtins.head [ [ ] [ 1 ] (throw "never") ];
  strings = map toString [ 1 2.5 true null "s" [ 3 4 ] (throw "never") ];
  thrown = (builtins.tryEval (builtins.elemAt strings 6)).success;
  fields = map (builtins.getAttr "x") [ { x = 1; } { } ];
  gen = builtins.genList toString 3;
in
[
  (builtins.length heads)
  (builtins.elemAt heads 1)
  (builtins.length strings)
  (builtins.concatStringsSep "," (builtins.genList (builtins.elemAt strings) 6))
  thrown
  (builtins.head fields)
  (builtins.length fields)
  gen
]
