# Thunk bodies that are short (at most 12 ops), jump only forward and use only the ops the speculating interpreter knows are marked `speculable`; with a call or a nested thunk, `speculates calls`. A scope (`let`), a list or a long body is not speculable, nor is a thunk making a thunk that is not.
cfg: f: {
  select = cfg.enable;
  call = f cfg;
  nested = f (cfg.a + 1);
  scope = let y = cfg; in y;
  list = f [ cfg ];
  long = cfg.a + cfg.b + cfg.c + cfg.d;
  nestedNot = f (let y = 1; in y);
}
