# `Call; Force; Return` becomes a tail call too: the default of `s.a or (f 1)` ends in a `Call` followed by the `Force` at the join, which the peephole keeps (a jump lands on it), and the call becomes `TailCall`.
s: f: s.a or (f 1)
