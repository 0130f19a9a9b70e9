# Without --show-trace the trace stops after a few lines, as C++ Nix's does, and says so.
builtins.length (builtins.length (builtins.length 1))
