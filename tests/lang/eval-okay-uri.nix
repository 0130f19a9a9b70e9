[
  http://example.org/foo?bar=1&baz=2
  (builtins.typeOf https://nixos.org)
  (builtins.stringLength mailto:someone@example.org)
]
