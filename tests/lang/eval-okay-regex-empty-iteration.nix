# libstdc++ ends a greedy loop whose body can match the empty string with one more, empty,
# iteration: a group that is the whole body holds "" (groups inside it keep their last match);
# not where the body can be empty only at an anchor.
[
  (builtins.match "(|a)+" "aa")
  (builtins.match "(a*)+" "aa")
  (builtins.match "x(a*)+y" "xaay")
  (builtins.match "(a|b|)*" "ab")
  (builtins.match "((a)|)+" "a")
  (builtins.match "(a+|b*)+" "ab")
  (builtins.match "(a|^)+" "aa")
  (builtins.match "(a|b)+" "ab")
  (builtins.match "((a*)b)+" "abab")
  (builtins.split "(|a)+" "baab")
]
