# A thunk whose body is a constant of data is that constant instead: `builtins.langVersion` and the nested set `x.y = 1` (a `Const` once compiled) need no thunk, and then the whole set folds into one constant.
{ v = builtins.langVersion; p.x.y = 1; }
