# Naive doubly recursive Fibonacci: lambda calls, integer `+`/`-`, `<` and `if`, nothing else.
# The same program for Lua 5.4 is fib.lua; compare.py reports gnix/Lua.
# Size: fib 31 = 1346269, 4.36 million calls to fib, each with two subtractions and a comparison.
let
  fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2);
in
fib 31
