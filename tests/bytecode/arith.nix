# A body that is one binary operator on two operands, each a variable or an integer constant, is also marked `arith` (computed directly on integers); a float or string operand, or a longer body, leaves it only `speculable`.
n: [ (n - 1) (n * n) (n == 0) (2 < n) (n + 1.5) (n + "s") (n - 1 - 1) ]
