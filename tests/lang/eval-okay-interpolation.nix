let
  a = "A";
  n = 3;
  s = { outer = "O"; };
in
[
  "${a}"
  "x${a}y${a}z"
  "a${"b${"c${a}"}"}"
  "${toString n}"
  "${s.outer}-${builtins.toString 1.5}"
  "${"ends"}"
  ''${a}''
]
