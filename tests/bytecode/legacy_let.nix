# The legacy `let { ...; body = ...; }` is `rec { ... }.body`: a `rec` set then `Select body`.
let { a = 1; body = a; }
