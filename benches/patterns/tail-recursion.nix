# recursion on builtins.tail over 6 000 elements (quadratic in both).
let go = l: if l == [] then 0 else 1 + go (builtins.tail l); in go (builtins.genList (i: i) 6000)
