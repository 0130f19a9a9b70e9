# A list that contains itself through a variable: C++ Nix tells repeated lists by the value
# cell holding them, and the list the `let` returns is a copy in a cell of its own, so it
# prints once more before «repeated».
let
  y = [ 1 ];
in
[
  (let z = [ z ]; in z)
  y
  y
]
