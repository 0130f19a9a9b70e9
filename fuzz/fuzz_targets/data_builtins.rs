//! Arbitrary bytes through the data builtins. The first byte picks the builtin
//! (`fromJSON`, `fromTOML`, `match`, `split`); the rest is its input, as a Nix string of
//! those exact bytes. For `match` and `split` the rest is split at its first NUL byte into
//! the regex and the subject (no NUL: the whole is the regex, matched against itself).
#![no_main]

use gnix::Engine;
use gnix::value::{NixString, Value};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

#[global_allocator]
static ALLOCATOR: gnix::allocator::Allocator = gnix::allocator::Allocator;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fn string(bytes: &[u8]) -> Value {
    Value::string(NixString::new(bytes.to_vec(), None))
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let mut ev = gnix_fuzz::shared(&ENGINE, 200_000, 256 << 20);
    let (f, args) = match which % 4 {
        0 => ("builtins.fromJSON", vec![string(rest)]),
        1 => ("builtins.fromTOML", vec![string(rest)]),
        n => {
            let (re, subject) = match rest.iter().position(|&b| b == 0) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, rest),
            };
            let f = if n == 2 {
                "builtins.match"
            } else {
                "builtins.split"
            };
            (f, vec![string(re), string(subject)])
        }
    };
    let r = ev
        .eval_expr(f, Path::new(gnix_fuzz::DIR))
        .and_then(|f| ev.call(f, args))
        .and_then(|v| ev.deep_force(v));
    match r {
        Ok(v) => {
            let _ = gnix::print::print_value(&v);
        }
        Err(e) => {
            let _ = ev.render_error(&e, true);
        }
    }
});
