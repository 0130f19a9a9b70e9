# `inherit x;` in a set reads the variable inline (a global such as `map` is its constant); `inherit (e) a b;` puts `e`, made in the enclosing scope, in a hidden slot of a scope around the set (`PushEnvFrom`, `PopEnv`), each attribute a thunk selecting from it.
x: s: { inherit x map; inherit (s) a b; }
