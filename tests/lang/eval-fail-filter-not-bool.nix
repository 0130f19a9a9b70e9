# A loop frame checks each result as the builtin would, and stops at the first bad one.
builtins.filter (x: if x == 1 then "yes" else throw "the second call is never made") [ 1 2 ]
