let
  l = [ 1 2 3 4 5 6 ];
  even = x: builtins.bitAnd x 1 == 0;
in
[
  (map (x: x * 10) l)
  (map (x: x) [ ])
  (builtins.filter even l)
  (builtins.filter (x: false) l)
  (builtins.foldl' (acc: x: acc + x) 0 l)
  (builtins.foldl' (acc: x: [ x ] ++ acc) [ ] l)
  (builtins.foldl' (acc: x: acc) "init" [ ])
  (builtins.any even l)
  (builtins.any even [ 1 3 ])
  (builtins.all even l)
  (builtins.all even [ ])
  (builtins.any (x: x) [ ])
  (builtins.concatMap (x: [ x x ]) [ 1 2 3 ])
  (builtins.concatMap (x: [ ]) l)
]
