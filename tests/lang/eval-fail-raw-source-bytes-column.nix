# Columns count bytes, as C++ Nix counts them, past bytes that are not UTF-8.
let s = "ÿÿÿ"; in s + x
