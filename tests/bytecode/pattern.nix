# Pattern lambdas: `LocalForce` of the hidden argument slot then `Formals`; each default is its own chunk, constant ones (`b ? 1`, `d ? [ ]`, read directly by the call) and speculable ones (`c ? a + 1`) included; `@ args` binds the set. An empty pattern still checks its argument.
[ ({ a, b ? 1, c ? a + 1, d ? [ ], e ? [ a ], ... }@args: a) ({ }: 1) ]
