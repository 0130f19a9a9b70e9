# `rec { }`: a scope with one slot per name, filled in source order (references to siblings are thunks), then the values read back from the slots in sorted name order for `MakeStaticAttrs`; never folded into a constant.
rec { b = a + 1; a = 1; c = b; }
