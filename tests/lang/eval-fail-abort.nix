abort "x"
