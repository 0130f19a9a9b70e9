{ a = 1; b = [ 2 (throw "forced by --strict") ]; }
