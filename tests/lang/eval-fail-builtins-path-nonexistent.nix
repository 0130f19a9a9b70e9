builtins.path { path = /nonexistent-gnix-test-path; }
