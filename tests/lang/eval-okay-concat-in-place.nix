# `++` extends a list in place when nothing else holds it (a result just computed); every list
# that something else can see must come out unchanged (`toJSON` reads them after the rest).
let
  a = [ 1 2 ];
  step = acc: x: acc ++ [ x ];
  l1 = step [ ] 1;
  count = n: if n == 0 then [ ] else [ n ] ++ count (n - 1);
  r = [ 1 ] ++ [ 2 ];
  s = r ++ [ 3 ];
  twice = l: l ++ l;
  acc = builtins.foldl' step [ 0 ] [ 1 2 ];
in
[
  (a ++ [ 3 ]) (a ++ [ 4 ]) (builtins.toJSON a)
  (builtins.foldl' step [ ] (builtins.genList (i: i) 5))
  (step l1 2) (step l1 3) (builtins.toJSON l1)
  (count 4)
  (a ++ [ ]) ([ ] ++ a) ([ ] ++ [ ])
  s (builtins.toJSON r)
  (twice [ 5 ]) (twice (twice [ 6 ]))
  (builtins.length ([ (throw "x") ] ++ [ (throw "y") ]))
  (acc ++ acc) (acc ++ [ 3 ]) ([ 9 ] ++ acc) (builtins.toJSON acc)
]
