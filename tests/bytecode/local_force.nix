# `Local; Force` fuses into one `LocalForce` where the value is needed (`f`, `a`, `b`); a lazy argument stays a plain `Local` (`x`).
f: x: a: b: f x (a + b)
