//! TAB completion, as C++ `nix repl` completes: the word before the cursor (after the last
//! blank or bracket) is a path if it has a `/`, an attribute path if a prefix of it up to a dot
//! parses (`lib.str`: `lib` is evaluated and its attribute names complete `str`), and otherwise
//! a variable name (the REPL's bindings and the globals).

use std::path::Path;

/// Where the word being completed starts in `line`, the cursor at `pos`.
pub fn word_start(line: &str, pos: usize) -> usize {
    let before = line.get(..pos).unwrap_or(line);
    before
        .rfind(|c: char| c.is_whitespace() || "(){}[]".contains(c))
        .map_or(0, |i| i + 1)
}

/// What a word asks to complete.
#[derive(Debug, PartialEq, Eq)]
pub enum Word<'a> {
    /// A file name: the directory part (up to the last `/`) and the name's beginning.
    Path(&'a str, &'a str),
    /// An attribute of the set `expr` evaluates to, starting with `prefix`.
    Attr { expr: &'a str, prefix: &'a str },
    /// A variable's name's beginning.
    Name(&'a str),
}

/// Reads a word: a path if it has a `/`; an attribute path if a prefix of it up to a dot is an
/// expression (the last such dot: `a.b.c` completes `c` in `a.b`); else a name.
pub fn classify(word: &str) -> Word<'_> {
    if let Some(slash) = word.rfind('/') {
        return Word::Path(&word[..slash], &word[slash + 1..]);
    }
    let dots = word.match_indices('.').map(|(i, _)| i).rev();
    for dot in dots {
        let expr = &word[..dot];
        if gnix::eval::check_syntax(expr).is_ok() {
            return Word::Attr {
                expr,
                prefix: &word[dot + 1..],
            };
        }
    }
    Word::Name(word)
}

/// `names` that start with `prefix`, sorted, each once.
pub fn matching<'a>(names: impl Iterator<Item = &'a str>, prefix: &str) -> Vec<String> {
    let mut found: Vec<String> = names
        .filter(|n| n.starts_with(prefix))
        .map(String::from)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// `expr.NAME` for each attribute name, the name quoted where it is not an identifier.
pub fn attr_candidates(expr: &str, names: Vec<String>) -> Vec<String> {
    names
        .into_iter()
        .map(|name| match super::line::is_var_name(&name) {
            true => format!("{expr}.{name}"),
            false => {
                let mut quoted = Vec::new();
                gnix::print::print_string(&mut quoted, name.as_bytes());
                format!("{expr}.{}", String::from_utf8_lossy(&quoted))
            }
        })
        .collect()
}

/// The entries of directory `dir` (the root if empty; relative to the working directory
/// otherwise) whose names start with `prefix`, hidden ones left out, as `dir/NAME`, with a `/`
/// after a directory's name.
pub fn path_candidates(dir: &str, prefix: &str) -> Vec<String> {
    let listed = if dir.is_empty() { "/" } else { dir };
    let Ok(entries) = std::fs::read_dir(Path::new(listed)) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let shown = !name.starts_with('.') && name.starts_with(prefix);
            let slash = if e.path().is_dir() { "/" } else { "" };
            shown.then(|| format!("{dir}/{name}{slash}"))
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(word_start("map (x: lib.str", 15), 8);
        assert_eq!(word_start("builtins.len", 12), 0);
        assert_eq!(word_start("[ a", 3), 2);
        assert_eq!(word_start("f {", 3), 3);
    }

    #[test]
    fn kinds() {
        assert_eq!(classify("buil"), Word::Name("buil"));
        assert_eq!(
            classify("builtins."),
            Word::Attr {
                expr: "builtins",
                prefix: ""
            }
        );
        assert_eq!(
            classify("lib.strings.con"),
            Word::Attr {
                expr: "lib.strings",
                prefix: "con"
            }
        );
        assert_eq!(classify("./src/ma"), Word::Path("./src", "ma"));
        assert_eq!(classify("/et"), Word::Path("", "et"));
        // `(a` does not parse: the word is taken as a name.
        assert_eq!(classify("(a.b"), Word::Name("(a.b"));
    }

    #[test]
    fn candidates() {
        let names = ["map", "mapAttrs", "x", "map"];
        assert_eq!(matching(names.into_iter(), "ma"), ["map", "mapAttrs"]);
        assert_eq!(
            attr_candidates("s", vec!["a".into(), "b c".into()]),
            ["s.a", "s.\"b c\""]
        );
        let dir = std::env::temp_dir().join(format!("gnix-complete-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).expect("temp dir");
        std::fs::write(dir.join("file.nix"), "1").expect("temp file");
        std::fs::write(dir.join(".hidden"), "1").expect("temp file");
        let d = dir.to_string_lossy();
        assert_eq!(
            path_candidates(&d, ""),
            [format!("{d}/file.nix"), format!("{d}/sub/")]
        );
        assert_eq!(path_candidates(&d, "f"), [format!("{d}/file.nix")]);
        std::fs::remove_dir_all(&dir).expect("temp dir removed");
    }
}
