# Deep lazy structures: a long chain of thunks, a self-referential genList memo table, and a
# lazy linked list consumed from the front. Sizes stay within the default max-call-depth, where
# C++ Nix counts the builtin calls each link makes.
let
  n = 4000;
  chain = builtins.genList (i: if i == 0 then 0 else builtins.elemAt chain (i - 1) + 1) n;
  memo = builtins.genList (i: if i < 2 then i else (builtins.elemAt memo (i - 1) + builtins.elemAt memo (i - 2)) - (builtins.elemAt memo (i - 1) + builtins.elemAt memo (i - 2)) / 1000000 * 1000000) 3000;
  nats = let from = k: { head = k; tail = from (k + 1); }; in from 0;
  take = k: l: if k == 0 then [ ] else [ l.head ] ++ take (k - 1) l.tail;
in
[ (builtins.elemAt chain (n - 1)) (builtins.elemAt memo 2999) (builtins.length (take 2000 nats)) ]
