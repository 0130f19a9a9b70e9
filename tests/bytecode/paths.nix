# Path literals are made absolute and canonical when compiling (a constant); an interpolated path is an interpolation then `ToPath`; `<p>` is `__findFile __nixPath "p"`.
x: [ ./a/../b.nix ./${x}.nix <nixpkgs> ]
