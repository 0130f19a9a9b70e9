[
  /foo/bar
  (/foo + "/bar")
  (/foo/bar + "baz")
  /a/b/../c
  (builtins.dirOf /a/b/c)
  (builtins.baseNameOf /a/b/c)
  (toString /x/y)
  (/. + "a")
]
