-- The naive Fibonacci of fib.nix, for Lua 5.4: the reference point for a tree-walking /
-- bytecode interpreter of a dynamic language. Prints the same value as fib.nix.
local function fib(n)
  if n < 2 then return n else return fib(n - 1) + fib(n - 2) end
end
print(fib(31))
