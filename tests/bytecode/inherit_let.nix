# `inherit x;` in a `let` reads `x` from the scope around the `let` (depth 1), not the `let`'s own; a name of a scope still being filled (`a` inside `b` below) becomes a thunk. `inherit (e)` in a `let` takes a hidden slot after the named ones.
x: s: let inherit x; inherit (s) c; a = 1; b = { inherit a; }; in [ x a b c ]
