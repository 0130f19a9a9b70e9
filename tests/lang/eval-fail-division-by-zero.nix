let x = 0; in 10 / x
