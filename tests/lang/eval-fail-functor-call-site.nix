# A functor's lambdas are called from its `__functor` attribute, as C++ Nix's trace says (`from
# call site`), whether the set is called in tail position or not, and whether the functor takes
# both arguments (`self: { a }: ...`) or computes the function (`self: f`).
let
  takesBoth = { __functor = self: { a }: a; };
  computes = { __functor = self: takesBoth; };
in
computes { }
