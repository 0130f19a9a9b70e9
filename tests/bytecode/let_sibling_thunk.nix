# While a `let` scope is being filled, a bare reference to one of its own names is a thunk (its slot may still be empty: `b = a`), while a variable of a scope already filled is read inline (`c = x`).
x: let a = 1; b = a; c = x; in [ b c ]
