let
  x = { a = 1; };
  l = [ 1 2 ];
  e = { };
  el = [ ];
in
{
  sets = [ x x ];
  lists = [ l l ];
  empties = [ e e el el ];
  across = { p = x; q = { r = x; }; };
  distinct = [ { a = 1; } { a = 1; } ];
}
