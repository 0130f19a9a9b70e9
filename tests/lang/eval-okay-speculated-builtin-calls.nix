# Thunks that call a cheap builtin on evaluated values (`elemAt l i`, `head l`, `x.y or
# builtins.length z`) are computed where they are made; calls that would fail stay thunks, so
# an error surfaces only where the value is used, as in any Nix.
let
  l = [ 10 20 30 ];
  s = { a = 1; };
  outOfRange = builtins.elemAt l 7;
  noHead = builtins.head [ ];
  missing = builtins.getAttr "b" s;
  overflow = builtins.add 9223372036854775807 1;
  byZero = builtins.div 1 0;
  fine = builtins.elemAt l 1;
  partial = builtins.elemAt l;
  zip = f: a: b: builtins.genList (n: f (builtins.elemAt a n) (builtins.elemAt b n)) (builtins.length a);
  shift = k: builtins.genList (n: builtins.elemAt l (n + k)) (3 - k);
  lazyElement = builtins.elemAt [ (throw "element never forced") 2 ] 0;
in
[
  fine
  (partial 2)
  (zip (a: b: a + b) l [ 1 2 3 ])
  (zip (a: b: a == b) l l)
  (shift 1)
  (builtins.length [ outOfRange noHead missing overflow byZero lazyElement ])
  (builtins.typeOf fine)
  (builtins.seq fine "seq")
  (builtins.isList partial)
]
