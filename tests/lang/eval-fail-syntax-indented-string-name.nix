# An indented string cannot name an attribute (rnix accepts one; C++ Nix does not).
{ a = 1; }.''a''
