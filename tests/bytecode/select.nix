# Select chains: the set forced, then `Select` per static name with a `Force` between steps; a computed name is forced and taken by `DynSelect`.
s: n: [ s.a.b.c s.${n} s.a.${n}.b s."x y" ]
