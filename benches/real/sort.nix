# Sorting as Nix code does it: `builtins.sort` with lambda comparators over records (multi-key:
# priority, then name, as in nixpkgs' lib.sortOn/module ordering), version strings ordered by
# `builtins.compareVersions`, plain string and integer sorts, a hand-written merge sort
# (lists split with genList/elemAt), and de-duplication of a sorted list.
# Size: 32000 records, 12000 version strings, 32000 ints and strings, merge sort of 2500 ints.
let
  inherit (builtins) sort genList length elemAt head foldl' compareVersions lessThan;
  mod = a: b: a - a / b * b;
  n = 32000;
  rand = i: mod (i * 1103515245 + 12345) 2147483648;
  records = genList (i: { name = "pkg-${toString (rand i)}"; priority = mod (rand (i + 7)) 5; idx = i; }) n;
  byPrioName = sort (a: b: a.priority < b.priority || (a.priority == b.priority && a.name < b.name)) records;
  sortOn = f: list: map (p: p.v) (sort (a: b: a.k < b.k) (map (v: { k = f v; inherit v; }) list));
  byIdxDesc = sortOn (r: -r.idx) records;

  versions = genList (i: "${toString (mod (rand i) 7)}.${toString (mod (rand (i + 1)) 23)}.${toString (mod i 11)}${if mod i 5 == 0 then "pre1" else ""}") 12000;
  newestFirst = sort (a: b: compareVersions a b > 0) versions;

  ints = genList rand n;
  sortedInts = sort lessThan ints;
  strs = map toString ints;
  sortedStrs = sort lessThan strs;

  merge = a: b:
    let la = length a; lb = length b;
        go = i: j: acc:
          if i == la then acc ++ genList (k: elemAt b (j + k)) (lb - j)
          else if j == lb then acc ++ genList (k: elemAt a (i + k)) (la - i)
          else let x = elemAt a i; y = elemAt b j; in
            if x <= y then go (i + 1) j (acc ++ [ x ]) else go i (j + 1) (acc ++ [ y ]);
    in go 0 0 [ ];
  msort = list: let len = length list; in
    if len < 2 then list else
    let half = len / 2; in
    merge (msort (genList (elemAt list) half)) (msort (genList (k: elemAt list (k + half)) (len - half)));
  merged = msort (genList (i: mod (rand i) 1000) 2500);

  uniqSorted = list: foldl' (acc: x: if acc != [ ] && head acc == x then acc else [ x ] ++ acc) [ ] list;
in
[ (head byPrioName).name (elemAt byPrioName 8000).priority (head byIdxDesc).idx
  (head newestFirst) (elemAt newestFirst 11999) (head sortedInts) (elemAt sortedInts (n - 1))
  (head sortedStrs) (elemAt merged 1250) (length (uniqSorted (sort lessThan (map (x: mod x 997) ints)))) ]
