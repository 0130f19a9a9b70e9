[
  "héllo wörld"
  (builtins.stringLength "日本")
  (builtins.substring 0 3 "日本")
  ("é" == "\u00e9")
  "emoji 🎉"
]
