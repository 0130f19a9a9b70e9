let
  x = "outer";
  s = { x = "from-s"; };
in
[
  (rec { inherit x; y = x; })
  (with s; rec { inherit x; })
  (let x = "shadow"; in { inherit x; })
]
