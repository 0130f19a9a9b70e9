let
  l = [ 1 2 3 4 5 ];
in
[
  (builtins.length l)
  (builtins.length [ ])
  (builtins.head l)
  (builtins.tail l)
  (builtins.tail [ 1 ])
  (builtins.elemAt l 0)
  (builtins.elemAt l 4)
  (builtins.elem 3 l)
  (builtins.elem 9 l)
  (builtins.elem [ 1 ] [ [ 1 ] ])
  (builtins.concatLists [ [ 1 ] [ ] [ 2 3 ] [ [ 4 ] ] ])
  (builtins.genList (x: x * x) 5)
  (builtins.genList (x: x) 0)
]
