map builtins.typeOf [
  1
  1.5
  "s"
  ''s''
  true
  null
  [ ]
  { }
  (x: x)
  ({ ... }: 1)
  ./p
  builtins.add
  (builtins.add 1)
  http://x.org
]
