let
  s = { a.b = 1; c = null; };
in
[
  (s ? a)
  (s ? a.b)
  (s ? a.c)
  (s ? a.b.c)
  (s ? c)
  (s ? "a")
  (s ? ${"c"})
  (1 ? a)
  ({ } ? x)
  ("str" ? a)
]
