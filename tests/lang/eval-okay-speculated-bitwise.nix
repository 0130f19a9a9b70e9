# bitAnd, bitOr, bitXor, floor and ceil may be computed ahead of need (speculated): where an
# argument is not a number or would throw, the call must wait until it is forced, and fail
# only then.
let
  unforced = [
    (builtins.bitAnd "a" 1)
    (builtins.bitOr 1 (throw "never"))
    (builtins.bitXor 1 { })
    (builtins.floor "x")
    (builtins.ceil null)
  ];
  step = a: i: builtins.bitXor a (builtins.bitAnd (builtins.bitOr i 3) 255);
in
[
  (builtins.length unforced)
  (builtins.foldl' step 0 (builtins.genList (i: i * 37) 1000))
  (map builtins.floor [ 2.5 (-2.5) 3 ])
  (map builtins.ceil [ 2.5 (-2.5) 3 ])
  (builtins.tryEval (builtins.bitAnd 1 (throw "forced"))).success
  (builtins.tryEval (builtins.elemAt unforced 1)).success
]
