let x = throw "boom"; in x + 1
