let
  down = n: if n == 0 then 0 else 1 + down (n - 1);
  sum = n: acc: if n == 0 then acc else sum (n - 1) (acc + n);
  fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2);
in
[
  (down 5000)
  (sum 5000 0)
  (fib 20)
]
