# A list literal of constant data (numbers, strings, paths, null, Booleans, nested lists and sets of those, `[ ]` and `{ }`) is one `Const`; a function (`map`) or a variable keeps it a `MakeList`.
x: [ [ 1 2.5 "s" null true [ ] { } [ 3 { a = 4; } ] http://example.org ] [ map ] [ 1 x ] ]
