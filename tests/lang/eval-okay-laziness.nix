let
  unused = throw "unused let binding";
  s = { a = throw "unused attr"; b = 1; };
  l = [ (throw "unused element") 2 ];
  ignore = _: "ignored";
in
[
  s.b
  (builtins.length l)
  (builtins.elemAt l 1)
  (ignore (throw "unused argument"))
  (builtins.attrNames s)
  (({ x ? throw "default unused" }: x) { x = 3; })
  (builtins.head (builtins.tail (builtins.genList (i: if i == 0 then throw "first" else i) 3)))
  (builtins.length (map (x: throw "lazy map") [ 1 2 3 ]))
  ({ a = { b = throw "deep"; }; }.a ? b)
  (let r = rec { a = b; b = 5; }; in r.a)
  (let fix = f: let x = f x; in x; in (fix (self: { a = 1; b = self.a + 1; })).b)
]
