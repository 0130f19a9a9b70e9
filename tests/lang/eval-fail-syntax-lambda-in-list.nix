# A list holds selections: a lambda must be parenthesised (C++ Nix 2.8: the same message).
[ 1 { a, b }: a ]
