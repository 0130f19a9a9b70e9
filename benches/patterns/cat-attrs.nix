# catAttrs and a filter selecting over 500 000 small sets.
let l = builtins.genList (i: { a = i; b = i; }) 500000; in builtins.length (builtins.catAttrs "a" l) + builtins.length (builtins.filter (x: x.b > 10) l)
