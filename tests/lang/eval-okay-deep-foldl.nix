let
  n = 100000;
  xs = builtins.genList (x: x) n;
in
[
  (builtins.foldl' (acc: x: acc + x) 0 xs)
  (builtins.length (builtins.foldl' (acc: x: [ x ] ++ acc) [ ] (builtins.genList (x: x) 2000)))
  (builtins.foldl' (acc: x: acc // { last = x; }) { } xs).last
]
