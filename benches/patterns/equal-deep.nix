# == of two equal binary trees of sets 18 levels deep.
let t = n: if n == 0 then [ 1 2 ] else { a = t (n - 1); b = t (n - 1); }; in t 18 == t 18
