# `with`: the set in a one-slot scope; a name bound in no static scope is looked up in the `with` sets at run time, innermost first (`LocalForce` of the set, `WithLookup` jumping out when found, `UndefinedVar` at the end). Lexical variables (`s`) and globals (`map`) never go through `with`.
s: t: with s; with t; [ x s map ]
