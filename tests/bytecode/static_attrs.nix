# A set with only static names is `MakeStaticAttrs`: names sorted when compiling (`a`, `b`, `"c d"`, `e`) with their definition sites, only the values on the stack. A string name without interpolation (`${"e"}`) is static too. A lambda bound to a name is named after it.
x: { b = x; a = x + 1; "c d" = x; ${"e"} = y: y; }
