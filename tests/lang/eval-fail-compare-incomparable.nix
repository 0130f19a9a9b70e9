1 < "foo"
