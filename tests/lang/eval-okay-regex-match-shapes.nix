# What `match` gives in each case: `[ ]` for a match of a pattern without groups, `null` for no
# match (with or without groups), a group's text or `null` when it took no part.
let
  ident = builtins.match "[a-zA-Z_][a-zA-Z0-9_'-]*";
  placeholder = builtins.match "<(.*)>";
in
[
  (ident "services")
  (ident "1st")
  (ident "")
  (placeholder "<name>")
  (placeholder "name")
  (builtins.match "a(b)?(c)" "ac")
  (builtins.match "(a|(b))+" "ab")
  (builtins.match "" "")
  (builtins.match "x*" "")
]
