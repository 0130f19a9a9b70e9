//! `eval` with the cycle collector run at every checkpoint (`collect::set_eager`), under the
//! system allocator so that AddressSanitizer sees every block: the collector's `unsafe` code
//! freeing something still referenced shows up as a use-after-free report. The budgets are
//! smaller (5 000 steps; 64 KiB, which under the system allocator bounds each list and string
//! a builtin makes: 4 096 elements), since eager collection scans every live object at every
//! checkpoint: with 256 MiB a `genList` of 4e6 thunks took over 10 s per input, with 1 MiB one
//! of 5e4 took 14 s.
#![no_main]

use gnix::Engine;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    gnix::value::collect::set_eager(true);
    let text = String::from_utf8_lossy(data);
    let mut ev = gnix_fuzz::shared(&ENGINE, 5_000, 64 << 10);
    gnix_fuzz::eval_print(&mut ev, &text);
    drop(ev);
    gnix::value::collect::collect();
});
