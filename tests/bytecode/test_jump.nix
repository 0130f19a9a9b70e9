# An integer comparison of variables or constants before a `JumpIfFalse` gets a `TestJump` in place of its first op (the ops stay, for the fallback); a speculable body, a non-integer constant or a `JumpIfTrue` (`||`) gets none.
let
  count = n: i: if i < n then count n (i + 1) else if 3 == i then i else n;
  small = x: if x < 2 then 0 else 1;
  notInt = x: if x == null then 0 else count x 0;
in
[ (count 5 0) (small 1) (notInt 3) (count 2 0 || count 2 1 < 3) ]
