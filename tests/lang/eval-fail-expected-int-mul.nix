"foo" * 2
