# Binary and unary operators: both operands forced, then one op each; the pipe operators (disabled experimental feature) compile to `Fail` with C++ Nix's message.
a: b: [ (a - b) (a / b) (a != b) (a <= b) (a > b) (a >= b) (a ++ b) (a // b) (!a) (-a) (a |> b) ]
