# List-heavy code as in nixpkgs lib/lists.nix and its callers, builtins only: genList-built
# tables, map/filter/foldl'/concatMap pipelines over records, zipLists/take/drop/sublist
# written with genList + elemAt as lib does, a binary search with elemAt, a 60x60 matrix
# product, flattening nested lists, `elem`, `any`/`all`, and partition-style splits.
# Size: an 80000-record list, a 60x60 matrix product (216000 multiply-adds), 40000 searches.
let
  inherit (builtins) genList length elemAt foldl' filter concatMap head tail elem any all;
  mod = a: b: a - a / b * b;
  range = first: last: if first > last then [ ] else genList (n: first + n) (last - first + 1);
  sublist = start: count: list:
    let len = length list; s = if start >= len then len else start;
        c = if s + count > len then len - s else count;
    in genList (n: elemAt list (n + s)) c;
  take = count: sublist 0 count;
  drop = count: list: sublist count (length list) list;
  zipListsWith = f: a: b: genList (n: f (elemAt a n) (elemAt b n)) (if length a < length b then length a else length b);
  sum = foldl' (a: b: a + b) 0;
  partition = pred: foldl' (acc: x: if pred x
    then { right = acc.right ++ [ x ]; inherit (acc) wrong; }
    else { inherit (acc) right; wrong = acc.wrong ++ [ x ]; }) { right = [ ]; wrong = [ ]; };
  flatten = x: if builtins.isList x then concatMap flatten x else [ x ];
  unique = foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];

  # Records: a list of "files" with sizes and tags.
  n = 80000;
  records = genList (i: {
    id = i;
    size = mod (i * 7919) 10007;
    tags = genList (k: "t${toString (mod (i + k) 23)}") (1 + mod i 4);
    deps = if i < 3 then [ ] else [ (i - 1) (i - 3) ];
  }) n;
  big = filter (r: r.size > 5000) records;
  sizes = map (r: r.size) records;
  totalBig = sum (map (r: r.size) big);
  allTags = concatMap (r: r.tags) records;
  distinctTags = length (unique (take 3000 allTags));
  depEdges = length (concatMap (r: map (d: { from = r.id; to = d; }) r.deps) records);
  windows = genList (w: sum (sublist (w * 100) 100 sizes)) (n / 100);
  pairs = zipListsWith (a: b: a * b) (drop 1 sizes) sizes;
  parts = partition (x: mod x 2 == 0) (take 2000 sizes);

  # Binary search over a sorted (genList-built) list, the elemAt way.
  sortedKeys = genList (i: i * 3) 100000;
  search = x: let
    go = lo: hi: if lo >= hi then lo else
      let mid = (lo + hi) / 2; in
      if elemAt sortedKeys mid < x then go (mid + 1) hi else go lo mid;
  in go 0 (length sortedKeys);
  found = length (filter (x: elemAt sortedKeys (search x) == x) (genList (i: i * 7) 40000));

  # Matrix product with lists of lists.
  m = 60;
  a = genList (i: genList (j: mod (i * j + 1) 17) m) m;
  b = genList (i: genList (j: mod (i + 2 * j) 13) m) m;
  col = mat: j: map (row: elemAt row j) mat;
  bt = genList (col b) m;
  dot = x: y: sum (zipListsWith (p: q: p * q) x y);
  prod = map (row: map (dot row) bt) a;
  trace = sum (genList (i: elemAt (elemAt prod i) i) m);
  nested = flatten (genList (i: [ i [ (i + 1) [ (i + 2) ] ] ]) 5000);
in
[ (length big) totalBig (length allTags) distinctTags depEdges (head windows) (elemAt windows 599)
  (sum pairs) (length parts.right) found trace (length nested)
  (any (x: x == 10006) sizes) (all (r: r.id < n) records) ]
