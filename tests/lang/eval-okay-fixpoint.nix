let
  fix = f: let x = f x; in x;
  extends = overlay: base: self: let super = base self; in super // overlay self super;
  base = self: { a = 1; b = self.a + 10; };
  overlay = self: super: { a = 5; c = super.b * 2; };
in
fix (extends overlay base)
