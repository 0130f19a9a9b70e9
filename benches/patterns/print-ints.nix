# printing a list of 750 000 integers.
builtins.genList (i: i) 750000
