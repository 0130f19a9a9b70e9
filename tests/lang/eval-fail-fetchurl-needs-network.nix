builtins.fetchurl "https://example.com/source.tar.gz"
