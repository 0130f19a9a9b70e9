let
  name = "world";
in
[
  ''
    hello
      indented
    ${name}
  ''
  ''  leading spaces kept on first line''
  ''
    escapes: ''$ ''' ''\t x''\y
  ''
  ''
    literal ''${name} and $ and ${"interp"}
  ''
  ''

      blank first lines

    stripped by minimum
  ''
  ''a
    b''
  ''''
]
