[
  (x: x)
  ({ a }: a)
  builtins.map
  (builtins.map (x: x))
  builtins.add
  (builtins.add 1)
  { f = y: y; }
]
