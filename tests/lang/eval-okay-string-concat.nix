[
  ("a" + "b")
  ("" + "")
  ("x" + toString 1 + "y")
  ("foo" + "${"bar"}")
  (builtins.typeOf ("/abs" + "x"))
  (builtins.typeOf (/abs + "x"))
]
