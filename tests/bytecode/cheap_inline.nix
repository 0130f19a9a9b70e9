# Lazy positions (list elements here) compile cheap expressions inline: literals, strings without interpolation, lambdas, paths, `__curPos`, variables, globals, lists and non-`rec` sets with static names; the rest (arithmetic, interpolation, `rec` and dynamic sets, calls) become thunks.
x: f: [ 1 "s" (y: y) ./p __curPos x map [ x ] { a = x; } (x + 1) "${x}" rec { b = x; } { ${x} = 1; } (f x) ]
