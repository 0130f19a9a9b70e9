# `f a b c`: the first application is a plain `Call`, the last two arguments go through `Call2; Swap; Call`.
f: a: b: c: f a b c
