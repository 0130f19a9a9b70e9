//! What the fuzz targets share: an engine that cannot reach the real file system, with a
//! step and memory budget, and one run of a source text through it.

use gnix::io::MemoryIo;
use gnix::{Engine, Evaluator, Settings};
use std::path::Path;
use std::sync::OnceLock;

/// Where relative paths in fuzzed sources resolve: a small in-memory tree, so that `import`,
/// `readFile`, `readDir`, `pathExists`, `builtins.path` and path interpolation have something
/// to read without touching the host.
pub const DIR: &str = "/fuzz";

fn files() -> MemoryIo {
    MemoryIo::new()
        .file(
            "/fuzz/default.nix",
            "{ a = 1; b = x: x + 1; c = [ ./data.txt ]; }",
        )
        .file("/fuzz/data.txt", "hello\n")
        .file("/fuzz/data.json", "{\"a\": [1, 2.5, null, true, \"s\"]}")
        .file(
            "/fuzz/sub/lib.nix",
            "x: { inherit x; y = import ../default.nix; }",
        )
        .executable("/fuzz/sub/run.sh", "#!/bin/sh\n")
        .symlink("/fuzz/link", "sub")
        .symlink("/fuzz/loop", "loop")
        .env("HOME", "/fuzz")
        .cwd(DIR)
}

/// The settings every target evaluates under: pure, bounded in steps and memory.
pub fn settings(max_steps: u64, max_memory: usize) -> Settings {
    Settings {
        max_steps,
        max_memory: Some(max_memory),
        pure: true,
        ..Settings::default()
    }
}

/// An engine whose evaluations read only the in-memory tree.
pub fn engine(max_steps: u64, max_memory: usize) -> Engine {
    Engine::new(settings(max_steps, max_memory)).with_io(|| Box::new(files()))
}

/// The engine of a target, made once.
pub fn shared(cell: &'static OnceLock<Engine>, max_steps: u64, max_memory: usize) -> Evaluator {
    cell.get_or_init(|| engine(max_steps, max_memory))
        .evaluation()
}

/// Evaluates `text`, forces the result deeply and prints it (as `--strict`), then renders it
/// as JSON; an error is rendered with its trace. Every outcome but a panic or a crash is fine.
pub fn eval_print(ev: &mut Evaluator, text: &str) {
    let r = ev
        .eval_expr(text, Path::new(DIR))
        .and_then(|v| ev.deep_force(v));
    match r {
        Ok(v) => {
            let _ = gnix::print::print_value(&v);
            if let Err(e) = ev.to_json(v) {
                let _ = ev.render_error(&e, true);
            }
        }
        Err(e) => {
            let _ = ev.render_error(&e, true);
        }
    }
}
