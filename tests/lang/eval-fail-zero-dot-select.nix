# `0.x` is the integer 0, then `.x`: a selection from an integer (not the float `0.` applied).
let x = 1; in [ 0.x ]
