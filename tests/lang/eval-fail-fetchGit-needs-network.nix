builtins.fetchGit { url = "https://example.com/repo.git"; rev = "0000000000000000000000000000000000000000"; }
