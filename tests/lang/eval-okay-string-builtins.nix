[
  (builtins.stringLength "")
  (builtins.stringLength "hello")
  (builtins.stringLength "é")
  (builtins.substring 0 3 "hello")
  (builtins.substring 1 100 "hello")
  (builtins.substring 10 2 "hello")
  (builtins.substring 2 0 "hello")
  (builtins.substring 1 (-1) "hello")
  (builtins.concatStringsSep ", " [ "a" "b" "c" ])
  (builtins.concatStringsSep "-" [ ])
  (builtins.concatStringsSep "" [ "x" "y" ])
  (builtins.concatStringsSep "/" [ "only" ])
]
