# No `Force` after ops that always leave a value (constants, closures, arithmetic, `!`, `-`, `//`, `++`, set and list literals, `?`, interpolation, paths, calls): in these bodies only variables are forced, by `LocalForce`.
x: {
  a = -((x + 1) * 2);
  b = !(({ a = x; } // { }) ? a);
  c = builtins.length ([ x ] ++ [ 1 ]) + 1;
  d = "${x}" + "s";
  e = (y: y) 1;
  f = !({ ${x} = 1; } ? ${x});
  g = ./${x} + "/y";
}
