let
  values = [ 1 1.5 "s" true null [ ] { } (x: x) ./p builtins.map ];
  preds = with builtins; {
    inherit isInt isFloat isString isBool isNull isList isAttrs isFunction isPath;
  };
in
builtins.mapAttrs (_: p: map p values) preds
