[
  [ ]
  [ [ ] ]
  [ 1 "two" 3.0 null true [ false ] { x = [ ]; } ]
  [ [ [ [ 1 ] ] ] ]
]
