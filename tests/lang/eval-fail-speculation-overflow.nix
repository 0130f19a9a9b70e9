# A thunk that would overflow is not computed early: the error comes when it is forced, with
# its own span.
let
  id = x: x;
  big = 9223372036854775807;
in
id (big + 1)
