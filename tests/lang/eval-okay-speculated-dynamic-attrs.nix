# `s.${n}`, `s.${n} or d` and `s ? ${n}` in lazy positions are computed where they appear when
# `s` and `n` are evaluated (vm::speculate); otherwise, and where they would fail, they stay
# thunks and fail only if forced.
let
  s = { a = 1; b = { c = 2; }; "with space" = 3; };
  n = "a";
  m = "missing";
  notASet = 5;
  notAName = 7;
  const = x: _: x;
  pick = name: [ s.${name} (s.${name} or "default") (s ? ${name}) ];
in
[
  [ s.${n} (s.${m} or "default") (s ? ${n}) (s ? ${m}) ]
  (pick "a")
  [ (s.${"with space"}) (s.b.${"c"}) ]
  [ (notASet.${n} or "no set") (notASet ? ${n}) ]
  (const "fine" s.${m})
  (const "fine" notASet.${n})
  (const "fine" s.${notAName})
  (builtins.tryEval (s.${m} or (throw "boom")))
  (map (k: s.${k} or null) [ "a" "b" "zzz" ])
]
