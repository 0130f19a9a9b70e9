[
  (builtins.seq 1 2)
  (builtins.seq { a = throw "not forced"; } "shallow")
  (builtins.seq [ (throw "not forced") ] "shallow list")
  (builtins.deepSeq { a.b = 1; } "deep ok")
  ((builtins.tryEval (builtins.deepSeq { a.b = throw "deep"; } 1)).success)
  ((builtins.tryEval (builtins.deepSeq [ [ (throw "deep") ] ] 1)).success)
  ((builtins.tryEval (builtins.seq (throw "shallow") 1)).success)
  (builtins.deepSeq (x: throw "functions are not entered") "fn")
]
