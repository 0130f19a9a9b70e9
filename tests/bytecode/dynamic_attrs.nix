# A set with a dynamic name is `MakeAttrs`: (name, value) pairs pushed, static names as string constants, dynamic names forced, sorted and checked at run time.
x: n: { a = x; ${n} = 1; "${n}b" = x; }
