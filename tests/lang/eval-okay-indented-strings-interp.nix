let
  inner = "x\n  y";
in
''
  start
    ${inner}
  ${toString 42} ${"a"}${"b"}
''
