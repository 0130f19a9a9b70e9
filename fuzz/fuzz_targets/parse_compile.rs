//! Arbitrary bytes as Nix source, parsed and compiled (no evaluation). Source that is not
//! UTF-8 is decoded lossily, as the CLI reads it.
#![no_main]

use gnix::Engine;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut ev = gnix_fuzz::shared(&ENGINE, 0, 256 << 20);
    if let Err(e) = ev.parse_only(&text, None, Path::new(gnix_fuzz::DIR)) {
        let _ = ev.render_error(&e, true);
    }
});
