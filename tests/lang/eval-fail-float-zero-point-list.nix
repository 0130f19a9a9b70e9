# `0.` is no float for C++ Nix: the selection wants a name where `]` is.
[ 1. 0. ]
