# intersectAttrs walks the smaller set: the result is the same either way round, values
# and positions from the second set.
let
  big = builtins.listToAttrs (builtins.genList (i: { name = "k${toString i}"; value = i; }) 100);
  small = { k3 = "a"; k50 = "b"; k99 = "c"; missing = "d"; };
  s = {
    a = 1;
    b = 2;
  };
in
[
  (builtins.intersectAttrs small big)
  (builtins.intersectAttrs big small)
  (builtins.intersectAttrs { } big)
  (builtins.intersectAttrs big { })
  (builtins.intersectAttrs { b = 0; c = 0; } s)
  (builtins.unsafeGetAttrPos "b" (builtins.intersectAttrs { a = 0; b = 0; c = 0; } s)).line
]
