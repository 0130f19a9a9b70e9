builtins.storePath "/nonexistent-gnix-test-path/x"
