# List and set literals of constant data are built once by the compiler and shared; what a
# program can observe is unchanged: positions, laziness of anything not constant, and the
# equality of lists holding functions (never folded).
let
  f = _: { a = [ 1 "two" ./. ]; b = { c = null; d = 1.5; }; e = [ ]; g = { }; };
  h = _: [ map ];
  nested = [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ 1 ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ];
  depth = l: if builtins.isList l then 1 + depth (builtins.head l) else 0;
in
[
  (f 1 == f 2)
  (builtins.attrNames (f 1))
  ((f 1).b.d)
  (let p = builtins.unsafeGetAttrPos "d" (f 1).b; in [ p.line p.column ])
  (h 1 == h 2)
  (let l = h 1; in l == l)
  (depth nested)
  (builtins.length [ 1 2 (throw "lazy") ])
  ({ x = 1; y = throw "lazy"; }.x)
  ([ 1 2 ] ++ [ 3 ])
  ({ a = 1; } // { b = 2; })
]
