# List literals and set literals with static names are built where they appear, without a
# thunk around them; their elements stay as lazy as before: nothing below is ever forced.
let
  broken = throw "never forced";
  w = { z = throw "with set entry never forced"; };
  pick = b: if b then [ broken (broken + 1) ] else { a = broken; b.c = broken; inherit broken; };
  inWith = with w; { inherit z; y = [ z ]; };
  order = let a = { x = b; }; b = 7; in a.x;
in
[
  (builtins.length (pick true))
  (builtins.attrNames (pick false))
  (builtins.attrNames inWith)
  (builtins.length inWith.y)
  order
  (builtins.isAttrs { inherit (throw "source never forced") q; })
  (builtins.attrNames { ${"dyn" + "amic"} = broken; })
]
