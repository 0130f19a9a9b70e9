# `__overrides` in a `rec` set: every other binding becomes a thunk that takes the override's value when it has one (`SelectOrJump`), and the overrides are merged into the set (`Update`).
rec { a = 1; b = a; __overrides = { a = 2; }; }
