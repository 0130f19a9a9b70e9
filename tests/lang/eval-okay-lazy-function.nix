# A builtin's lazy calls (`map`, `genList`, `mapAttrs`) whose function is itself still to be
# evaluated: each element forces the function, then calls it (an Apply frame, or a generator
# for more than one argument); one that fails makes the call fail.
let
  lazily = f: if builtins.length [ 1 ] == 1 then f else null;
  double = lazily (x: x * 2);
  functor = lazily { __functor = self: x: x + self.base; base = 10; };
  counter = lazily { __functor = self: values: builtins.length values + self.base; base = 10; };
  failing = lazily (throw "no function");
  pair = lazily (name: value: "${name}=${toString value}");
in
[
  (map double [ 1 2 3 ])
  (builtins.genList double 3)
  (map functor [ 1 2 ])
  (map (lazily (lazily (x: [ x ]))) [ 1 ])
  (builtins.mapAttrs pair { a = 1; b = 2; })
  (builtins.tryEval (builtins.head (map failing [ 1 ]))).success
  # `zipAttrsWith f` calls `f name` lazily, then applies that (still a thunk) to the values.
  (builtins.zipAttrsWith (name: values: name + toString (builtins.length values)) [ { a = 1; } { a = 2; b = 3; } ])
  (builtins.zipAttrsWith (name: if name == "a" then builtins.head else builtins.tail) [ { a = 1; b = 2; } { b = 3; } ])
  (builtins.zipAttrsWith (name: counter) [ { a = 1; } { a = 2; } ]).a
  (let r = map (lazily (x: builtins.length r + x)) [ 1 2 ]; in r)
]
