let s = { "é" = 1; b = 2; }; in [ (builtins.unsafeGetAttrPos "b" s).column __curPos.column ]
# Columns count bytes, as C++ Nix counts them: the two-byte "é" puts `b` at 21, not 20.
