[
  (builtins.functionArgs ({ a, b ? 1, ... }: a))
  (builtins.functionArgs (x: x))
  (builtins.functionArgs ({ }: 1))
  (builtins.functionArgs (args@{ x ? 2 }: x))
  (builtins.attrNames (builtins.functionArgs ({ z, y, x }: 1)))
]
