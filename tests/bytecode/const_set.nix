# A set literal of constant data is one `Const`, nested sets included; a function or a variable in it keeps it a `MakeStaticAttrs`.
x: [ { b = 1; a = { c = "x"; d = [ 2 ]; }; } { f = map; } { y = x; z = 1; } ]
