# deepSeq of a binary tree of sets 18 levels deep.
let t = n: if n == 0 then 1 else { a = t (n - 1); b = t (n - 1); }; in builtins.deepSeq (t 18) 1
