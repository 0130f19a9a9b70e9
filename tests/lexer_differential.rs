//! gnix's tokenizer (`gnix::lexer`, src/syntax/lexer.rs) against rnix's (`rnix::tokenize`),
//! whose tokens it must reproduce exactly: the kind and the text of every token, error tokens
//! and malformed input included, since gnix's parser builds rnix's trees from them.
//!
//! - `corpus_tokens_match`: every `.nix` file of the upstream language tests and nixpkgs'
//!   `lib` (`../shared`, skipped with a note when missing), tests/ and benches/workloads.
//! - `truncated_corpus_files_match`: the same files cut short at many points (every kind of
//!   unterminated string, comment, path and interpolation, in realistic context), and their
//!   ends from many points on (text starting anywhere, as syntax/mod.rs's `token_at` reads it).
//! - `random_text_matches`: byte strings and token soups from a fixed-seed generator; the
//!   tokenizer must also never panic on them.
//! - `quirks_match`: hand-picked texts at the edges of rnix's rules.
//! - `long_runs_are_linear`: the runs of path characters rnix takes quadratic time on.

use rnix::SyntaxKind;
mod nix_corpus;

use nix_corpus::{corpus, rnix_number_quirk};

type Tokens = Vec<(SyntaxKind, String)>;

fn by_rnix(text: &str) -> Tokens {
    rnix::tokenize(text)
        .map(|(k, t)| (k, t.to_string()))
        .collect()
}

fn by_gnix(text: &str) -> Tokens {
    gnix::lexer::tokenize(text)
        .map(|(k, t)| (k, t.to_string()))
        .collect()
}

/// `None` if both tokenizers agree, else where they part.
fn compare(text: &str) -> Option<String> {
    let want = by_rnix(text);
    let got = by_gnix(text);
    if got == want {
        return None;
    }
    let at = got
        .iter()
        .zip(&want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    Some(format!(
        "token {at}: gnix {:?}, rnix {:?} (after {:?})",
        got.get(at),
        want.get(at),
        at.checked_sub(1).and_then(|i| want.get(i))
    ))
}

/// Compares every text, and fails listing (the first few) that differ.
fn check_all(what: &str, texts: impl Iterator<Item = (String, String)>) {
    let (mut same, mut quirks, mut differ) = (0usize, 0usize, Vec::new());
    for (name, text) in texts {
        if rnix_number_quirk(&text) {
            quirks += 1;
            continue;
        }
        match compare(&text) {
            None => same += 1,
            Some(how) => differ.push(format!("{name}: {how}")),
        }
    }
    eprintln!(
        "{what}: {} compared, {same} identical, {} differ, {quirks} with rnix's number rules",
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
fn corpus_tokens_match() {
    let files = corpus();
    assert!(files.len() > 200, "only {} corpus files", files.len());
    check_all(
        "corpus files",
        files.into_iter().map(|(p, t)| (p.display().to_string(), t)),
    );
}

/// The points to cut `text` at: every byte of small files, about 200 in larger ones.
fn cuts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let step = (text.len() / 200).max(1);
    (1..text.len())
        .step_by(step)
        .filter(|&i| text.is_char_boundary(i))
}

#[test]
fn truncated_corpus_files_match() {
    let files = corpus();
    let heads = files.iter().flat_map(|(path, text)| {
        cuts(text).map(move |i| {
            (
                format!("{} cut at {i}", path.display()),
                text[..i].to_string(),
            )
        })
    });
    check_all("truncated corpus files", heads);
    let tails = files.iter().flat_map(|(path, text)| {
        cuts(text).map(move |i| {
            (
                format!("{} from {i} on", path.display()),
                text[i..].to_string(),
            )
        })
    });
    check_all("corpus files' ends", tails);
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

/// Pieces of Nix to shuffle into token soups: every token kind, blanks and comments, and the
/// characters that decide between paths, search paths, URIs and the rest.
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
    "0",
    "1e",
    "e5",
    "E-",
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
    "'''",
    "''$",
    "''\\",
    "$${",
    "\\",
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
    ">",
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
    "/*",
    "*/",
    "./p",
    "/a/b",
    "~/h",
    "~",
    "<n>",
    "<a/b>",
    "http://u",
    "a:b",
    "_",
    "a_b",
    "%",
    " ",
    "\n",
    "\t",
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
    "a/",
    "/${",
    "é",
    "\u{a0}",
    "\u{2028}",
    "&",
    "|",
];

#[test]
fn random_text_matches() {
    // More with GNIX_LEXER_RANDOM=N (and another seed with GNIX_LEXER_SEED=S).
    let count = std::env::var("GNIX_LEXER_RANDOM")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40_000);
    let seed = std::env::var("GNIX_LEXER_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut rng = Rng(seed);
    let mut texts = Vec::new();
    for i in 0..count {
        let len = rng.below(60);
        let text: String = if i % 4 == 0 {
            // Random bytes, mostly printable ASCII, read as UTF-8 (lossily).
            let bytes: Vec<u8> = (0..len * 2)
                .map(|_| match rng.below(10) {
                    0 => rng.below(256) as u8,
                    _ => 32 + rng.below(95) as u8,
                })
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else if i % 4 == 1 {
            // Path characters and what may follow a run of them.
            const CHARS: &[u8] = b"aZ09_.+-/<>:~$'{}\" \n*@%";
            (0..len)
                .map(|_| CHARS[rng.below(CHARS.len())] as char)
                .collect()
        } else {
            (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect()
        };
        texts.push((format!("random text {i}: {text:?}"), text));
    }
    check_all("random texts", texts.into_iter());
}

#[test]
fn quirks_match() {
    let texts = [
        "",
        " ",
        "a",
        "a/b",
        "a/",
        "a//b",
        "a/ b",
        "a/*b*/",
        "./.",
        "/",
        "/ ",
        "//",
        "/a//b",
        "/${x}",
        "/${x}/",
        "/a${x}b${y}",
        "a/${x}${y}/c",
        "~",
        "~/",
        "~x",
        "~é",
        "~/a/${b}",
        "<a>",
        "<>",
        "<a/b>",
        "<a<b>",
        "<<a>",
        "<a",
        "<|",
        "<=",
        "<a>b",
        "a>",
        "1>",
        "a:b",
        "a_b:c",
        "a:_",
        "http://a.b/c?d=e&f",
        "a:",
        "a: b",
        "1:2",
        ".5",
        ".5e",
        ".5e+",
        "1.e3",
        "0.",
        "0.5",
        "00.5",
        "01",
        "1.2.3",
        "1e5",
        "1.0e",
        "1.0E-3x",
        "a'b",
        "a-b",
        "a->b",
        "a++b",
        "a+b/c",
        "1+1+1/x",
        "...",
        "....",
        "..",
        "\"",
        "\"a",
        "\"\\",
        "\"${",
        "\"${x",
        "\"${x}",
        "\"$${x}\"",
        "\"$",
        "\"\\${x}\"",
        "''",
        "''a",
        "'''",
        "''''",
        "''a'''b''",
        "''a''$b''",
        "''a''\\",
        "''a''\\n''",
        "''a'",
        "''${x}''",
        "''$${x}''",
        "'",
        "$",
        "${",
        "${a}",
        "{ ${a} }",
        "\"${ { } }\"",
        "}",
        "#",
        "# a",
        "/*",
        "/* a",
        "/* a *",
        "/**/",
        "/*/",
        "/* **/",
        "a /* b */ c",
        "&",
        "&&",
        "|",
        "||",
        "|>",
        "!",
        "!=",
        "=",
        "==",
        "é",
        "\u{a0}a",
        "\u{2028}",
        "a\u{a0}/b",
        "a/\u{a0}",
        "a/é",
        "\0",
        "a.b.c/d",
        "s.a.a.a.b",
        "x:x",
        "x: x",
        "a_:b",
        "_a:b",
        "a:%",
        "a:é",
        "<a/b/>",
        "a/${\"",
        "./a${",
        "\"${./a}\"",
        "a\u{b}b",
        "\u{c}",
        "\u{85}",
        "\u{3000}x",
        "\u{1f}",
        " \u{2029}\t\r\n",
    ];
    check_all(
        "quirks",
        texts.iter().map(|t| (format!("{t:?}"), t.to_string())),
    );
}

/// Where gnix follows C++ Nix's number rules instead of rnix's (`rnix_number_quirk`): the
/// tokens C++ Nix's lexer makes, and the texts are recognised as not comparable with rnix.
#[test]
fn numbers_follow_cpp_nix() {
    use SyntaxKind::*;
    let cases: &[(&str, &[(SyntaxKind, &str)])] = &[
        (
            "0.x",
            &[(TOKEN_INTEGER, "0"), (TOKEN_DOT, "."), (TOKEN_IDENT, "x")],
        ),
        (
            "0.e5",
            &[(TOKEN_INTEGER, "0"), (TOKEN_DOT, "."), (TOKEN_IDENT, "e5")],
        ),
        ("0.", &[(TOKEN_INTEGER, "0"), (TOKEN_DOT, ".")]),
        ("1.5e", &[(TOKEN_FLOAT, "1.5"), (TOKEN_IDENT, "e")]),
        (
            ".5E+",
            &[(TOKEN_FLOAT, ".5"), (TOKEN_IDENT, "E"), (TOKEN_ADD, "+")],
        ),
        ("2.ee3", &[(TOKEN_FLOAT, "2."), (TOKEN_IDENT, "ee3")]),
    ];
    for (text, want) in cases {
        let want: Tokens = want.iter().map(|(k, t)| (*k, t.to_string())).collect();
        assert_eq!(by_gnix(text), want, "{text:?}");
        assert!(
            rnix_number_quirk(text),
            "{text:?} is not an rnix number quirk"
        );
    }
    // Where the rules agree, the texts are compared.
    for text in ["0.5", "00.5", "1.", "1.e5", "0.5e3", "1.5e-2", ".5"] {
        assert!(!rnix_number_quirk(text), "{text:?}");
        assert_eq!(compare(text), None, "{text:?}");
    }
}

/// The runs rnix scans again from every token in them: 100 000 names in a selection, 100 000
/// terms of a sum without blanks, and runs ended by what makes them paths, search paths or
/// URIs. Each must tokenize, in linear time (quadratic would take minutes), into tokens that
/// put together are the text.
#[test]
fn long_runs_are_linear() {
    let n = 100_000;
    let select = format!("s{}.b", ".a".repeat(n));
    assert_eq!(gnix::lexer::tokenize(&select).count(), 2 * n + 3);
    let sum = format!("1{}", "+1".repeat(n));
    assert_eq!(gnix::lexer::tokenize(&sum).count(), 2 * n + 1);
    for text in [
        format!("{}>", "<a".repeat(n)),
        format!("{}/b", ".a".repeat(n)),
        format!("{}:b", "a.".repeat(n)),
        format!("{}>", "a.".repeat(n)),
    ] {
        let tokens = by_gnix(&text);
        assert_eq!(tokens.concat_text(), text);
    }
}

trait ConcatText {
    fn concat_text(&self) -> String;
}

impl ConcatText for Tokens {
    fn concat_text(&self) -> String {
        self.iter().map(|(_, t)| t.as_str()).collect()
    }
}
