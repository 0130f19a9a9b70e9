let
  s = { c = 3; a = 1; b = 2; };
in
{
  names = builtins.attrNames s;
  values = builtins.attrValues s;
  has = [ (builtins.hasAttr "a" s) (builtins.hasAttr "z" s) ];
  get = builtins.getAttr "b" s;
  removed = builtins.removeAttrs s [ "a" "zzz" ];
  fromList = builtins.listToAttrs [
    { name = "x"; value = 1; }
    { name = "y"; value = 2; }
    { name = "x"; value = 3; }
  ];
  mapped = builtins.mapAttrs (name: value: "${name}=${toString value}") s;
  intersect = builtins.intersectAttrs { a = 0; z = 0; } s;
  cat = builtins.catAttrs "k" [ { k = 1; } { j = 2; } { k = 3; } ];
  emptyNames = builtins.attrNames { };
}
