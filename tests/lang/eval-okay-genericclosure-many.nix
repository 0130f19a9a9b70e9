# genericClosure with keys arriving in every order: descending, ascending, scattered with
# duplicates, strings, ints equal to floats, lists and paths. Elements come out in the order
# they were found, each key once.
let
  b = builtins;
  keys = c: map (x: x.key) c;
  chain = start: step: stop: b.genericClosure {
    startSet = [ { key = start; } ];
    operator = x: if x.key == stop then [ ] else [ { key = step x.key; } ];
  };
  descending = chain 3000 (k: k - 1) 0;
  ascending = chain 0 (k: k + 1) 3000;
  # Each element leads to two keys below 1000, most of them found before.
  scattered = b.genericClosure {
    startSet = [ { key = 0; } { key = 0; } ];
    operator = x: [ { key = (x.key * 7 + 3) - (x.key * 7 + 3) / 1000 * 1000; } { key = (x.key * 13 + 1) - (x.key * 13 + 1) / 1000 * 1000; } ];
  };
  strings = b.genericClosure {
    startSet = [ { key = "k999"; n = 999; } ];
    operator = x: if x.n == 0 then [ ] else [ { key = "k${toString (x.n - 1)}"; n = x.n - 1; } { key = x.key; n = 0; } ];
  };
  mixed = b.genericClosure {
    startSet = [ { key = 2; } { key = 1.0; } { key = 1; } { key = 2.5; } { key = 2.0; } { key = 0; } ];
    operator = x: [ ];
  };
  lists = b.genericClosure {
    startSet = [ { key = [ 3 ]; } { key = [ 1 2 ]; } { key = [ 1 ]; } { key = [ 1 2 ]; } { key = [ ]; } { key = [ 1 1 ]; } { key = [ ]; } ];
    operator = x: [ ];
  };
  paths = b.genericClosure {
    startSet = [ { key = /b; } { key = /a; } { key = /b; } { key = /a/b; } ];
    operator = x: [ ];
  };
in
{
  descending = [ (b.length descending) (b.head (keys descending)) (b.elemAt (keys descending) 2999) (keys descending == b.genList (i: 3000 - i) 3001) ];
  ascending = [ (b.length ascending) (keys ascending == b.genList (i: i) 3001) ];
  scattered = [ (b.length scattered) (b.foldl' (a: k: a + k) 0 (keys scattered)) (b.genList (i: b.elemAt (keys scattered) i) 12) ];
  strings = [ (b.length strings) (b.elemAt (keys strings) 500) ];
  mixed = keys mixed;
  lists = keys lists;
  paths = b.length paths;
}
