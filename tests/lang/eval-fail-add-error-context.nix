# addErrorContext adds its context line to the trace, shown without --show-trace.
let f = x: builtins.addErrorContext "while checking ${x}" (throw "bad ${x}"); in f "the thing"
