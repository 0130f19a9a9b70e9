# Laziness at scale, builtins only: a 250000-attribute package set whose values are mostly
# never forced (some are `throw`s, as for broken or unsupported packages), `//` layers that
# must keep thunks unforced, long thunk chains (each list element defined through the previous
# one) forced in stages so the stack stays shallow, a lazily self-referential 2-D memo table
# (longest common subsequence by dynamic programming), and lazy infinite streams
# (Eratosthenes-style sieve of primes, a Fibonacci stream) consumed from the front.
# Size: 250000 mostly unforced attributes, a 300000-link chain, a 160x160 memo table, 300 primes.
let
  inherit (builtins) genList elemAt length listToAttrs attrNames foldl' filter head stringLength substring;
  mod = a: b: a - a / b * b;

  # A package set where evaluating most values would be expensive or fail.
  n = 250000;
  expensive = i: foldl' (a: b: a + b) 0 (genList (k: k * i) 1000);
  pkgs = listToAttrs (genList (i: {
    name = "p${toString i}";
    value = if mod i 7 == 0 then throw "p${toString i} is broken"
      else { pname = "p${toString i}"; size = expensive i; meta.description = "package ${toString i}"; };
  }) n);
  overlayed = pkgs // listToAttrs (genList (i: { name = "p${toString (i * 10 + 1)}"; value = pkgs."p${toString (i * 10 + 1)}" // { patched = true; }; }) (n / 10));
  wanted = genList (i: "p${toString (i * 97 + 1)}") 200;
  wantedOk = filter (name: mod (builtins.fromJSON (substring 1 (-1) name)) 7 != 0) wanted;
  picked = map (name: overlayed.${name}.pname) wantedOk;
  countAll = length (attrNames overlayed);
  neverForced = length (genList (i: throw "never ${toString i}") 100000);

  # A long chain of thunks, each element one more than the previous.
  chainLen = 300000;
  chain = genList (i: if i == 0 then 0 else elemAt chain (i - 1) + mod i 3) chainLen;
  staged = foldl' (acc: i: acc + elemAt chain i) 0 (genList (i: i * 1000 + 999) (chainLen / 1000));

  # Longest common subsequence, memoised in a lazy table referring to itself.
  s1 = substring 0 160 (toString (genList (i: mod (i * 31) 10) 200));
  s2 = substring 0 160 (toString (genList (i: mod (i * 17 + 3) 10) 200));
  m = stringLength s1;
  table = genList (i: genList (j: cell i j) (m + 1)) (m + 1);
  at = i: j: elemAt (elemAt table i) j;
  cell = i: j:
    if i == 0 || j == 0 then 0
    else if substring (i - 1) 1 s1 == substring (j - 1) 1 s2 then at (i - 1) (j - 1) + 1
    else let a = at (i - 1) j; b = at i (j - 1); in if a > b then a else b;
  lcsStaged = foldl' (acc: k: acc + at k k) 0 (genList (k: k) (m + 1));

  # Infinite streams.
  from = k: { head = k; tail = from (k + 1); };
  take = k: s: if k == 0 then [ ] else [ s.head ] ++ take (k - 1) s.tail;
  filterS = p: s: if p s.head then { inherit (s) head; tail = filterS p s.tail; } else filterS p s.tail;
  sieve = s: { inherit (s) head; tail = sieve (filterS (x: mod x s.head != 0) s.tail); };
  primes = take 300 (sieve (from 2));
  fibs = let go = a: b: { head = a; tail = go b (a + b); }; in go 0 1;
in
[ (length picked) (head picked) countAll neverForced staged (elemAt chain (chainLen - 1))
  lcsStaged (at m m) (length primes) (elemAt primes 299) (elemAt (take 80 fibs) 79) ]
