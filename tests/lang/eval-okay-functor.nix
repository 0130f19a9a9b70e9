let
  counter = {
    n = 10;
    __functor = self: x: x + self.n;
  };
  curried = {
    __functor = self: a: b: a * b;
  };
  nested = {
    __functor = self: x: counter;
  };
in
[
  (counter 5)
  (curried 3 4)
  (map counter [ 1 2 ])
  (builtins.isFunction counter)
  (builtins.isAttrs counter)
  (nested 0 7)
  ((counter // { n = 100; }) 1)
]
