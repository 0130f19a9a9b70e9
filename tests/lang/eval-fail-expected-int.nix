builtins.bitAnd "foo" 1
