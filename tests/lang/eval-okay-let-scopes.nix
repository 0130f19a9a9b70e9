# `let`s whose bindings do not refer to each other are made in the enclosing scope; these
# check that names still resolve as Nix resolves them either way.
let
  x = 1;
  s = { a = 10; b = 20; };
in
[
  (let y = x + 1; in y)
  (let inherit x; in x)
  (let inherit (s) a b; in a + b)
  (let a.b = 1; a.c = a.b + 1; in a)
  (let f = n: n * 2; g = n: n + x; in f (g 1))
  (let q = { inherit x; }; r = q.x; in r)
  (let x = 5; in let inherit x; in x)
  (let t = with s; a; in t)
  (let in x)
  (let u = { p = 1; }; v = u // { q = 2; }; in v)
  (let z = [ z ]; in builtins.length (builtins.head z))
]
