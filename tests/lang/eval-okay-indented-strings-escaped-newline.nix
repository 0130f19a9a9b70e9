# An escaped newline (''\n) counts as a line start when indentation is
# stripped, so the spaces after it are stripped too (up to the minimum
# indentation), as C++ Nix does.
[
  ''
    a''\n b
    c''\n      d
  ''
  ''
    x''\ny
  ''
]
