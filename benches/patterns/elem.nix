# elem of 7 000 integers in a 6 000-element list (quadratic in both).
let l = builtins.genList (i: i) 6000; in builtins.length (builtins.filter (i: builtins.elem i l) (builtins.genList (i: i) 7000))
