# A builtin call that fails when its thunk is made stays a thunk: the error is raised where the
# value is needed, about the call that failed.
let
  l = [ 1 2 ];
  third = builtins.elemAt l 2;
  pairs = builtins.genList (n: builtins.elemAt l (n + 1)) 2;
in
builtins.length pairs + builtins.elemAt pairs 0 + (if builtins.length pairs > 1 then third else 0)
