[
  (1 + 2.0)
  (2.0 * 3)
  (5 / 2)
  (5 / 2.0)
  (-5 / 2)
  (7 - 0.5)
  (builtins.typeOf (1 + 1.0))
  (builtins.typeOf (4 / 2))
  (0.1 + 0.2)
  (1.0 == 1)
  (builtins.floor 2.7)
  (builtins.ceil 2.1)
]
