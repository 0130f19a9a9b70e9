# Variables from `with` in lazy positions are looked up where they are used when the set is
# already evaluated (vm::speculate); otherwise, and on failure, they stay thunks.
let
  lib = { add = a: b: a + b; one = 1; two = 2; nested = { three = 3; }; };
  const = x: _: x;
  outer = { shadowed = "outer"; onlyOuter = "o"; };
  inner = { shadowed = "inner"; };
  lazySet = { lazy = 10; } // { };
in
[
  (with lib; add one (add two 3))
  (with lib; map (x: add x one) [ 1 2 3 ])
  (with lib; [ one two nested.three ])
  (with outer; with inner; [ shadowed onlyOuter ])
  (let one = "lexical"; in with lib; [ one two ])
  (with lazySet; [ lazy ])
  # Never forced: a `with` on something that is not a set, and a name no `with` has.
  (const "fine" (with 1; x))
  (const "fine" (with lib; missing))
  (builtins.length [ (with 1; x) (with lib; missing) ])
  (builtins.tryEval (with { x = throw "boom"; }; x))
]
