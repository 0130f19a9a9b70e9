builtins.fetchTree { url = "https://example.com/x.tar.gz"; }
