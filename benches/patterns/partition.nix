# partition of 1 200 000 integers.
let p = builtins.partition (x: x > 100000) (builtins.genList (i: i * 3) 1200000); in builtins.length p.right
