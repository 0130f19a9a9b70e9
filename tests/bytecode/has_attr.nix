# `?`: one `HasAttr` (`DynHasAttr` for a computed name); a longer path selects its way down with `SelectOrJump`, and a missing step gives `false`.
s: n: [ (s ? a) (s ? a.b.c) (s ? ${n}) (s ? a.${n}) ]
