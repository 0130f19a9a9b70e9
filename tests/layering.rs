//! The layering rule of `design/ARCHITECTURE.md`, checked on the source: a top-level module
//! may use only modules of lower layers, so no two modules depend on each other. The check
//! reads every `crate::NAME` path in `src/` (including those inside `use crate::{...}`).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The layers, lowest first. Modules of one layer do not use each other.
const LAYERS: &[&[&str]] = &[
    &["rawtext"],
    &["errors", "io", "settings", "paths", "allocator", "corepkgs"],
    &["value"],
    &["print", "store"],
    &["syntax"],
    &["compiler"],
    &["vm"],
    &["builtins"],
    &["eval"],
    &["convert", "run", "select"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level modules a source text names through `crate::`.
fn uses(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                out.insert(first_segment(item.trim()));
            }
        } else {
            let name = first_segment(rest);
            // `crate::declare_builtins!`: a macro at the crate root, not a module.
            if !rest[name.len()..].starts_with('!') {
                out.insert(name);
            }
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

fn first_segment(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every `.rs` file under `dir`, with the top-level module it belongs to.
fn files(dir: &Path, module: Option<&str>, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let owner = module.map_or(name.clone(), str::to_string);
        if path.is_dir() {
            files(&path, Some(&owner), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path).expect("source is readable");
            out.push((owner, text));
        }
    }
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    files(&src, None, &mut sources);
    let mut broken = BTreeSet::new();
    for (module, text) in &sources {
        let Some(from) = layer(module) else {
            continue; // lib.rs, main.rs, engine.rs, instantiate.rs: above every layer
        };
        for used in uses(text) {
            if used == *module {
                continue;
            }
            match layer(&used) {
                Some(to) if to < from => {}
                Some(_) => {
                    broken.insert(format!("{module} -> {used}"));
                }
                None => panic!("{module} uses crate::{used}, which has no layer"),
            }
        }
    }
    assert!(
        broken.is_empty(),
        "uses against the layering rule: {broken:?}"
    );
}
