# an imported file whose value is not a function
[ 1 2 (3 + 4) ]
