//! `eval` with the cycle collector run at every checkpoint (`collect::set_eager`), under the
//! system allocator so that AddressSanitizer sees every block: the collector's `unsafe` code
//! freeing something still referenced shows up as a use-after-free report. The step budget is
//! smaller, since eager collection makes every step slow.
#![no_main]

use gnix::Engine;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    gnix::value::collect::set_eager(true);
    let text = String::from_utf8_lossy(data);
    let mut ev = gnix_fuzz::shared(&ENGINE, 20_000);
    gnix_fuzz::eval_print(&mut ev, &text);
    drop(ev);
    gnix::value::collect::collect();
});
