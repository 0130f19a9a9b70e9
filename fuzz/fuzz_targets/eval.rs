//! Arbitrary source evaluated through the library: pure, in-memory files, a step budget and a
//! memory budget; the result forced deeply, printed and rendered as JSON. gnix's allocator is
//! installed (as in the CLI) so the memory budget sees the heap grow; `eval_gc` is the
//! variant that runs the cycle collector at every checkpoint under the system allocator.
#![no_main]

use gnix::Engine;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[global_allocator]
static ALLOCATOR: gnix::allocator::Allocator = gnix::allocator::Allocator;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut ev = gnix_fuzz::shared(&ENGINE, 200_000, 256 << 20);
    gnix_fuzz::eval_print(&mut ev, &text);
});
