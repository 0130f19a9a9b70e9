let
  n = 5000;
  nest = builtins.foldl' (acc: i: { inner = acc; level = i; }) { } (builtins.genList (x: x) n);
  depth = s: if s ? inner then 1 + depth s.inner else 0;
  lists = builtins.foldl' (acc: _: [ acc ]) [ ] (builtins.genList (x: x) 3);
in
[
  (builtins.deepSeq nest (depth nest))
  nest.inner.inner.level
  lists
]
