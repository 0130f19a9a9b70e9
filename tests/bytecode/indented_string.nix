# Indented strings: the indentation is stripped when compiling, so a literal one is one constant and an interpolated one has its literal parts already stripped.
x: [
  ''
    one
      two
  ''
  ''
    a ${x}
      b
  ''
]
