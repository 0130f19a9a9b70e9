# `let` whose bindings refer to each other: `PushEnv` with one slot per binding, then `SetSlot` for each in source order (their thunks capture the new scope, which the cycle collector is told of), then the body.
let a = [ b ]; b = 1; c = 2; in a
