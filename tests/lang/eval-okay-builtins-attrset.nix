[
  (builtins ? map)
  (builtins ? noSuchBuiltin)
  (builtins.isAttrs builtins)
  (builtins.typeOf builtins.true)
  builtins.null
  (builtins.builtins ? length)
  (builtins.isFunction builtins.seq)
]
