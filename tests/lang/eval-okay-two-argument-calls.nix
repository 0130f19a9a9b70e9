# `f a b` is one `Call2` when `f` takes both at once (a curried lambda, a builtin missing two
# arguments) and two calls otherwise; every shape must behave as two applications.
let
  add = a: b: a + b;
  three = a: b: c: a + b + c;
  functor = { __functor = self: a: b: a * b; };
  pattern = { a, b }: c: a + b + c;
  go = i: acc: if i == 0 then acc else go (i - 1) (acc + 1);
in
[
  (add 1 2)
  ((three 1 2) 3)
  (three 1 2 3)
  (functor 3 4)
  (pattern { a = 1; b = 2; } 3)
  (builtins.substring 1 2 "abcd")
  (builtins.elem 2 [ 1 2 ])
  ((x: y: x) 1 (throw "the second argument is lazy"))
  (builtins.foldl' add 0 [ 1 2 3 ])
  (go 5000 0)
  ((builtins.add 1) 2)
]
