let
  ones = { head = 1; tail = ones; };
  nats = let from = n: { head = n; tail = from (n + 1); }; in from 0;
  take = n: s: if n == 0 then [ ] else [ s.head ] ++ take (n - 1) s.tail;
in
[
  ones.tail.tail.tail.head
  (take 5 nats)
  (builtins.length (builtins.genList (x: throw "lazy element") 1000000))
]
