# Globals are constants: `map`, `true`, `null` and `__add` are `Const`s, not lookups; a `with` cannot shadow them (`true` stays the global), while names bound in scope win over globals (`map` below is a local).
[ map true null __add (with { true = 1; }; true) (let map = 1; in map) ]
