# Branches of `if` and bodies of `let`, `with` and `assert` return by themselves when they end a function
# or thunk; the values and the laziness are those of the nested expressions.
let
  pick = s: with s; let y = a; in if y then (let z = b; in z) else (with { c = 3; }; c);
  count = n: acc: if n == 0 then acc else let m = n - 1; in count m (acc + 1);
  lazyBranch = b: if b then throw "not taken" else [ (throw "element stays lazy") ];
  thunks = {
    t = with { v = 1; }; let w = v + 1; in if w == 2 then "two" else "other";
  };
in
[
  (pick { a = true; b = "b"; })
  (pick { a = false; b = throw "b is not forced"; })
  (count 500 0)
  (builtins.length (lazyBranch false))
  thunks.t
  ((x: (if x then (y: y + 1) else (y: y - 1)) 10) true)
  ((x: assert x > 0; if x > 5 then "big" else "small") 3)
]
