# Attribute names are interned: lookups of names made at run time, names never seen before,
# names sharing long prefixes (ordered past their first eight bytes), and sets large enough to
# be binary-searched (and large enough for a prefix index, here all one run of equal prefixes)
# behave as byte-string comparisons would.
let
  long = i: "a-very-long-common-prefix-${toString i}";
  big = builtins.listToAttrs (map (i: { name = long i; value = i; }) (builtins.genList (x: 200 - x) 200));
  small = { b = 2; a = 1; "a\tb" = 3; "" = 0; ab = 4; abcdefgh = 5; "abcdefgh!" = 6; abcdefg = 7; };
  fresh = "never-written-in-source-" + toString 42;
in
[
  (builtins.attrNames small)
  (builtins.attrValues small)
  (builtins.length (builtins.attrNames big))
  (builtins.head (builtins.attrNames big))
  big.${long 17}
  (big ? ${long 17})
  (builtins.map (i: big.${long i}) [ 1 99 100 150 200 ])
  (builtins.map (i: big ? ${long i}) [ 0 201 ])
  (big ? ${fresh})
  (small ? ${fresh})
  (big.${fresh} or "missing")
  (builtins.getAttr "abcdefgh!" small)
  (builtins.hasAttr fresh small)
  (builtins.attrNames (builtins.removeAttrs small [ "a" fresh "abcdefgh" ]))
  (builtins.attrNames (builtins.intersectAttrs { ab = null; ${fresh} = null; "" = null; } small))
  (builtins.catAttrs fresh [ small big ])
  (builtins.catAttrs "b" [ small { b = 9; } ])
  (builtins.attrNames ({ ${fresh} = 1; z = 2; } // small))
  (builtins.unsafeGetAttrPos fresh small)
  (builtins.attrNames (builtins.mapAttrs (n: v: n) { y = 1; x = 2; }))
  ({ inherit (small) ab; }.ab)
  (let f = { ab, ... }: ab; in f small)
]
