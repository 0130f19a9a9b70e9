//! Every `.nix` file the differential tests (lexer, parser) compare gnix with rnix on: the
//! repository's tests and workloads, and, when `../shared` is there, the upstream language
//! tests and nixpkgs' lib.

use std::path::{Path, PathBuf};

fn nix_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            nix_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "nix") {
            out.push(path);
        }
    }
}

/// The corpus: every `.nix` file with its text (files that are not UTF-8 are left out: the
/// evaluator reads only UTF-8 source).
pub fn corpus() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    let mut dirs = vec![root.join("tests"), root.join("benches/workloads")];
    if shared.is_dir() {
        dirs.push(shared.join("nix-lang-tests"));
        dirs.push(shared.join("nixpkgs-lib"));
    } else {
        eprintln!(
            "note: ../shared is missing: the upstream tests and nixpkgs lib are not compared"
        );
    }
    let mut files = Vec::new();
    for dir in dirs {
        nix_files(&dir, &mut files);
    }
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

/// Whether rnix tokenizes a number in `text` by a rule C++ Nix does not have, where gnix
/// follows C++ Nix (src/syntax/lexer.rs, `number`): a float `0.` with no digit after the
/// dot (C++ Nix: the integer `0`, then `.`), or an exponent with no digits (C++ Nix: the float
/// ends before the `e`; rnix: an error token). Such texts are not compared.
pub fn rnix_number_quirk(text: &str) -> bool {
    rnix::tokenize(text).any(|(kind, token)| {
        let b = token.as_bytes();
        match kind {
            rnix::SyntaxKind::TOKEN_FLOAT => {
                b.starts_with(b"0.") && !b.get(2).is_some_and(u8::is_ascii_digit)
            }
            rnix::SyntaxKind::TOKEN_ERROR => {
                b.first().is_some_and(|c| c.is_ascii_digit() || *c == b'.')
                    && b.iter().any(|c| matches!(c, b'e' | b'E'))
            }
            _ => false,
        }
    })
}
