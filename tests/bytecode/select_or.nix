# `or` defaults: every step of the path is a `SelectOrJump` (or `DynSelectOrJump`) jumping to the default when the attribute is missing; the path's end jumps over the default.
s: n: [ (s.a.b or 1) (s.${n} or n) ]
