# Defaults that can be computed when the call binds them are, and the rest stay lazy: a default
# may read formals before or after it, and an argument never forced stays unforced.
let
  f = { a, b ? a + 1, c ? d, d ? 5, e ? throw "e is never used" }: [ a b c d ];
  g = { x, y ? x * 2 }: y;
in
[
  (f { a = 1; })
  (f { a = 1; b = 7; d = 1; })
  (builtins.length ((x: f { a = x; }) (throw "lazy")))
  (g { x = 4; })
  (builtins.tryEval (g { x = throw "x"; })).success
]
