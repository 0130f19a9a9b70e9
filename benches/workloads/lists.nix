# Big lists: map, filter, foldl', genList, concatLists, elem, sort with a lambda comparator.
let
  n = 50000;
  xs = builtins.genList (i: (i * 7919) - (i * 7919) / 10007 * 10007) n;
  evens = builtins.filter (x: x / 2 * 2 == x) xs;
  squares = map (x: x * x) evens;
  total = builtins.foldl' (a: b: a + b) 0 squares;
  chunks = builtins.concatLists (builtins.genList (i: [ i (i + 1) ]) 10000);
  sorted = builtins.sort (a: b: a < b) (builtins.genList (i: xs.${toString 0} or (builtins.elemAt xs i)) 5000);
in
[ total (builtins.length chunks) (builtins.head sorted) (builtins.elem 42 xs) ]
