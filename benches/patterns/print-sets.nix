# printing 200 000 small sets.
map (i: { a = i; b = "s${toString i}"; }) (builtins.genList (i: i) 200000)
