//! gnix's parser (`gnix::parser`, src/syntax/parser.rs) against rnix's, whose tree and errors
//! it must reproduce exactly: rnix's typed AST, the compiler and the mapping of errors to C++
//! Nix's messages all read what it makes as they read what rnix made.
//!
//! - `corpus_trees_and_errors_match`: every `.nix` file of the upstream language tests and
//!   nixpkgs' `lib` (`../shared`, skipped with a note when missing), tests/ and
//!   benches/workloads, parsed by both: the same tree (`Debug` of the syntax node: every node
//!   and token kind, range and token text) and the same errors.
//! - `truncated_corpus_files_match`: the same files cut short at many points (a cheap source
//!   of every kind of syntax error, in realistic context).
//! - `random_text_matches`: byte strings and token soups from a fixed-seed generator; the
//!   parser must also never panic on them.
//!
//! rnix gives up past 512 nested expressions (gnix's parser takes 10 000 levels); a text on
//! which rnix reports that is counted and left out of the comparison.
//! Generated Nix programs are compared in tests/properties.rs (`parsers_agree`).

use rnix::ParseError;
mod nix_corpus;

use nix_corpus::{corpus, rnix_number_quirk};
use std::path::Path;

/// What a parse gives, to compare: the tree printed, and the errors.
fn by_rnix(text: &str) -> (String, Vec<ParseError>) {
    let parse = rnix::Root::parse(text);
    (format!("{:#?}", parse.syntax()), parse.errors().to_vec())
}

fn by_gnix(text: &str) -> (String, Vec<ParseError>) {
    let parsed = gnix::parser::parse(text);
    let tree = rnix::SyntaxNode::new_root(parsed.green);
    (format!("{tree:#?}"), parsed.errors)
}

enum Verdict {
    Same,
    /// rnix gave up on nesting (more than 512 levels): not compared.
    TooDeepForRnix,
    /// rnix tokenizes a number by its own rule (`rnix_number_quirk`): not compared.
    NumberQuirk,
    Differs(String),
}

fn compare(text: &str) -> Verdict {
    if rnix_number_quirk(text) {
        return Verdict::NumberQuirk;
    }
    let want = by_rnix(text);
    if want.1.contains(&ParseError::RecursionLimitExceeded) {
        return Verdict::TooDeepForRnix;
    }
    let got = by_gnix(text);
    if got == want {
        return Verdict::Same;
    }
    let (gt, ge) = &got;
    let (wt, we) = &want;
    let first_line = gt
        .lines()
        .zip(wt.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(0);
    Verdict::Differs(format!(
        "errors gnix {ge:?}\n       rnix {we:?}\ntree differs at line {first_line}: gnix {:?} rnix {:?}",
        gt.lines().nth(first_line),
        wt.lines().nth(first_line)
    ))
}

/// Compares every text, and fails listing (the first few) that differ.
fn check_all(what: &str, texts: impl Iterator<Item = (String, String)>) {
    let (mut same, mut deep, mut quirks, mut differ) = (0usize, 0usize, 0usize, Vec::new());
    for (name, text) in texts {
        match compare(&text) {
            Verdict::Same => same += 1,
            Verdict::TooDeepForRnix => deep += 1,
            Verdict::NumberQuirk => quirks += 1,
            Verdict::Differs(how) => differ.push(format!("{name}: {how}")),
        }
    }
    eprintln!(
        "{what}: {} compared, {same} identical, {} differ, {deep} too deep for rnix, \
         {quirks} with rnix's number rules",
        same + differ.len(),
        differ.len()
    );
    assert!(
        differ.is_empty(),
        "{} of {what} differ:\n{}",
        differ.len(),
        differ
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn corpus_trees_and_errors_match() {
    let files = corpus();
    assert!(files.len() > 200, "only {} corpus files", files.len());
    check_all(
        "corpus files",
        files.into_iter().map(|(p, t)| (p.display().to_string(), t)),
    );
}

#[test]
fn truncated_corpus_files_match() {
    let files = corpus();
    let cuts = files.iter().flat_map(|(path, text)| {
        // At most ~48 cuts a file, every few bytes in small files.
        let step = (text.len() / 48).max(3);
        (1..text.len())
            .step_by(step)
            .filter(|&i| text.is_char_boundary(i))
            .map(move |i| {
                (
                    format!("{} cut at {i}", path.display()),
                    text[..i].to_string(),
                )
            })
    });
    check_all("truncated corpus files", cuts);
}

/// A xorshift generator: the same texts on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces of Nix to shuffle into token soups: every token kind, and some blanks and comments.
const PIECES: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "let ",
    " in ",
    "x",
    "y",
    "1",
    "2.5",
    "0.",
    ":",
    ";",
    "=",
    ".",
    " or ",
    "\"",
    "\"s\"",
    "${",
    "}",
    "''",
    "''\n  a\n''",
    "?",
    "@",
    ",",
    "...",
    "rec ",
    "inherit ",
    "if ",
    " then ",
    " else ",
    "-",
    "!",
    "+",
    "++",
    "//",
    "<",
    ">=",
    "==",
    "!=",
    "&&",
    "||",
    "->",
    "|>",
    "<|",
    "*",
    "/",
    "./p",
    "/a/b",
    "~/h",
    "<n>",
    "http://u",
    " ",
    "\n",
    "# c\n",
    "/* c */",
    "assert ",
    "with ",
    "__curPos",
    "a.b",
    "{ a, b ? 1, ... }: ",
    "x@{ }: ",
    "a = 1;",
    "./p${x}",
    "\"${x}\"",
    "$",
    "'",
];

#[test]
fn random_text_matches() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut texts = Vec::new();
    for i in 0..20_000 {
        let len = rng.below(40);
        let text: String = if i % 4 == 0 {
            // Random bytes, mostly printable ASCII, read as UTF-8 (lossily).
            let bytes: Vec<u8> = (0..len * 2)
                .map(|_| match rng.below(10) {
                    0 => rng.below(256) as u8,
                    _ => 32 + rng.below(95) as u8,
                })
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect()
        };
        texts.push((format!("random text {i}: {text:?}"), text));
    }
    check_all("random texts", texts.into_iter());
}

/// Nesting past rnix's 512 levels: gnix's parser takes it (the evaluation of such programs is
/// checked in tests/reliability.rs), and past `MAX_NESTING` stops with
/// `RecursionLimitExceeded` at the level too deep.
#[test]
fn nesting_beyond_rnix() {
    let deep = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    assert!(gnix::parser::parse(&deep(10_000)).errors.is_empty());
    let too_deep = gnix::parser::parse(&deep(10_001));
    // The parentheses left open after it are `UnexpectedEOF`s, as in rnix.
    assert_eq!(
        too_deep.errors.first(),
        Some(&ParseError::RecursionLimitExceeded)
    );
    assert_eq!(too_deep.too_deep_at, Some(10_001.into()));
    // A thread with a small stack: the parser grows its own.
    let ladder = format!("{}1", "if true then 1 else ".repeat(10_000));
    let parsed = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || gnix::parser::parse(&ladder).errors)
        .expect("a thread")
        .join()
        .expect("no stack overflow");
    assert!(parsed.is_empty());
}

/// A host evaluating deeply nested programs on a thread of the default 2 MiB stack
/// (`std::thread::spawn`): parsing, compiling and freeing the tree grow their own stack.
#[test]
fn ten_thousand_levels_evaluate_in_a_host_thread() {
    let programs = [
        (format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000)), 1),
        (format!("{}5", "if false then 0 else ".repeat(10_000)), 5),
        (format!("{}a", "let a = 2; in ".repeat(10_000)), 2),
        (
            format!("({}x) {}7", "x: ".repeat(9_999), "1 ".repeat(9_998)),
            7,
        ),
    ];
    std::thread::spawn(move || {
        for (program, want) in programs {
            let mut ev = gnix::Evaluator::new(gnix::Settings::default());
            let v = ev.eval_expr(&program, Path::new("."));
            let v = v.unwrap_or_else(|e| panic!("{}: {}", &program[..40], e.message));
            assert_eq!(ev.as_int(&v).ok(), Some(want), "{}", &program[..40]);
        }
    })
    .join()
    .expect("no stack overflow");
}
