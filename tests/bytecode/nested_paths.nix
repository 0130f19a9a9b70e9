# Nested attribute paths are merged into one set per level at compile time (`a.b.c = 1; a.b.d = x; a = { e = 2; };`), in sets and in `let`; each nested set is a thunk of its own `MakeStaticAttrs` (or a constant when it is data).
x: [ { a.b.c = 1; a.b.d = x; a = { e = 2; }; } (let p.q = x; p.r = 1; in p) ]
