# removeAttrs, intersectAttrs, catAttrs and functionArgs answer on the spot when their inputs
# are evaluated, and through their generators when an element still needs forcing.
let
  lazyName = builtins.head [ ("a" + "") ];
  lazySet = builtins.head [ ({ x = 1; } // { }) ];
  f = { a, b ? 1 }: a;
in
[
  (builtins.removeAttrs { a = 1; b = 2; c = 3; } [ "a" "c" "d" ])
  (builtins.removeAttrs { a = 1; b = 2; } [ lazyName ])
  (builtins.intersectAttrs { a = 0; c = 0; } { a = 1; b = 2; c = 3; })
  (builtins.catAttrs "x" [ { x = 1; } { y = 2; } lazySet ])
  (builtins.functionArgs f)
  (builtins.functionArgs (x: x))
  (builtins.functionArgs builtins.add)
]
