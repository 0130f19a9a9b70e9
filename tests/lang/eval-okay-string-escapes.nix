[
  "a\nb\tc\\d\"e\${f}g\rh"
  "\q\ \$"
  "$"
  "$$"
  "$${x}"
  "a$"
  "dollar $ alone"
  "tab	literal"
  "multi
line"
]
