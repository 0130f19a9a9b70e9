# `assert c; e`: `Assert` with the condition as C++ Nix shows it; `assert a == b` jumps over a second evaluation of both sides that `AssertEqFail` compares to explain the failure. Outside tail position the body is compiled inline.
x: (assert x > 0; assert x == 1; x) + (assert x != 2; 1)
