# Too many tokens could follow for the message to list them, as in C++ Nix.
&& true
