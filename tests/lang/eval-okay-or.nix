let
  s = { a = 1; b.c = 2; };
in
[
  (s.a or 0)
  (s.x or 0)
  (s.b.c or 0)
  (s.b.d or "default")
  (s.x.y.z or "deep")
  (s.a.b or "not a set")
  ({ }.x or { }.y or 3)
  (s.${"a"} or 9)
]
