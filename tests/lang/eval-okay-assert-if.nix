[
  (assert true; 1)
  (assert 1 == 1; assert "a" != "b"; "ok")
  (if true then "yes" else "no")
  (if false then throw "not taken" else "else")
  (if 1 < 2 then if 2 < 3 then "nested" else "x" else "y")
  ((builtins.tryEval (assert false; 1)).success)
]
