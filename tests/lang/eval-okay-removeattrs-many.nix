# removeAttrs with many names: every third of 3000 attributes, given twice over, with names the
# set lacks; the result must hold exactly the rest, values and positions intact.
let
  b = builtins;
  range = b.genList (i: i) 3000;
  name = i: "a${toString i}";
  set = b.listToAttrs (map (i: { name = name i; value = i; }) range);
  gone = b.filter (i: i / 3 * 3 == i) range;
  names = map name gone ++ map name (b.filter (i: i / 6 * 6 == i) range) ++ [ "zz" "a3000" "" ];
  kept = b.removeAttrs set names;
  expected = b.filter (n: !(b.elem n (map name gone))) (b.attrNames set);
  written = { a = 1; b = 2;
    c = 3; "e f" = 4; d = 5; };
  small = b.removeAttrs written [ "b" "e f" "b" "x" ];
in
{
  count = b.length (b.attrNames kept);
  same = b.attrNames kept == expected;
  sum = b.foldl' (acc: n: acc + kept.${n}) 0 (b.attrNames kept);
  first = b.head (b.attrNames kept);
  noneCount = b.length (b.attrNames (b.removeAttrs set [ ]));
  all = b.removeAttrs set (b.attrNames set);
  empty = b.removeAttrs { } [ "a" "b" ];
  small = small;
  positions = map (n: let p = b.unsafeGetAttrPos n small; in [ p.line p.column ]) (b.attrNames small);
}
