# a non-tail recursion 9 000 deep over elemAt, 10 times.
let sum = l: i: if i == builtins.length l then 0 else builtins.elemAt l i + sum l (i + 1); l = builtins.genList (i: i) 9000; in builtins.foldl' (a: k: a + sum l 0) 0 (builtins.genList (i: i) 10)
