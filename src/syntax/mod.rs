//! Parsing into rnix's syntax tree, syntax errors with positions, and showing expressions in
//! messages.
//!
//! The tokens are rnix's and the tree is rnix's (rowan green nodes of `rnix::SyntaxKind`, read
//! through `rnix::ast`), but the tokenizer and the parser are gnix's own. The tokenizer
//! ([`lexer`]) makes exactly the tokens `rnix::tokenize` makes (tests/lexer_differential.rs),
//! in linear time where rnix's takes quadratic time on long runs of path characters
//! (`s.a.a...a.b`, `1+1+...+1`). The parser ([`parser`]): rnix's gives up past 512 nested
//! expressions and builds long calls in quadratic time. Ours
//! takes up to [`MAX_NESTING`] levels on a stack that grows on demand, in linear time, and
//! makes exactly rnix's tree and errors otherwise (tests/parser_differential.rs). Input nested
//! deeper is a syntax error, not a native stack overflow; tests/cli.rs checks 100 000 nested
//! parentheses, lists and sets, tests/reliability.rs 10 000 levels of each construct.
//! The syntax errors are rnix's, mapped here to C++ Nix's messages, after a few checks of what
//! rnix's grammar takes and C++ Nix's does not.

use crate::errors::{Error, ErrorClass, FileId, Span};
use rnix::ast::{self, AstToken};
use rowan::ast::AstNode;

pub mod lexer;
pub mod parser;

/// Deepest nesting accepted, like the 10 000-deep parser stack of C++ Nix's bison parser.
pub const MAX_NESTING: usize = 10_000;

/// Parses Nix source text into its syntax tree.
pub fn parse(text: &str, file: FileId) -> Result<ast::Root, Error> {
    check_nesting(text, file)?;
    let parse = parser::parse(text);
    if let Some(err) = parse.errors.first() {
        if let Some(at) = parse.too_deep_at {
            return Err(too_deep(at.into(), file));
        }
        return Err(parse_error(err, text, file));
    }
    // `parser::parse` always makes a `NODE_ROOT`.
    let Some(tree) = ast::Root::cast(rnix::SyntaxNode::new_root(parse.green)) else {
        return Err(Error::new("syntax error, no root node").with_class(ErrorClass::Parse));
    };
    if text.contains('(') {
        check_parens(&tree, text, file)?;
    }
    if text.contains("${") {
        check_paths(&tree, text, file)?;
    }
    if may_hold_bare_zero_point(text) {
        check_floats(&tree, text, file)?;
    }
    Ok(tree)
}

/// Whether `text` may hold a float literal `0.` with no digit after the point (`0.`, `0.e5`):
/// a `0.` that no digit or point comes right before (`1.0.2`, `10.` are not) and no digit
/// right after. A cheap filter before `check_floats` walks the tree.
fn may_hold_bare_zero_point(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"0.").any(|i| {
        let before = i.checked_sub(1).and_then(|j| bytes.get(j));
        !before.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_'))
            && !bytes.get(i + 2).is_some_and(u8::is_ascii_digit)
    })
}

/// Rejects a float literal `0.` without a digit after the point, which rnix takes (as 0.0)
/// where C++ Nix's lexer has no such float (after a point it wants a digit unless the number
/// starts with 1-9): it reads the integer `0` and a `.` selecting an attribute, so `0.` and
/// `[ 0. ]` are syntax errors. The message is the one rnix gives for the same text with the
/// `0` replaced by an identifier (`_.`), which it does parse as C++ Nix does. Where that
/// parses (`0.x`, a selection from an integer for C++ Nix) the float is left as rnix reads it.
fn check_floats(tree: &ast::Root, text: &str, file: FileId) -> Result<(), Error> {
    use rnix::SyntaxKind as K;
    let bare = |t: &rnix::SyntaxToken| {
        t.kind() == K::TOKEN_FLOAT
            && t.text().starts_with("0.")
            && !t.text()[2..].starts_with(|c: char| c.is_ascii_digit())
    };
    for token in tree.syntax().descendants_with_tokens() {
        let Some(token) = token.into_token().filter(bare) else {
            continue;
        };
        let start = usize::from(token.text_range().start());
        let stand_in = format!("{}_{}", &text[..start], &text[start + 1..]);
        if let Some(err) = parser::parse(&stand_in).errors.first() {
            return Err(parse_error(err, &stand_in, file));
        }
    }
    Ok(())
}

/// Rejects a parenthesis closed by another token than `)`. rnix's parser (and so `parser`, which
/// makes the same tree) takes whatever token follows the parenthesised expression as its end
/// (`(1 ]`, `2 * (1 ; + 3`, `(1 /*` with an unterminated comment all parse, the last two
/// evaluating), where C++ Nix's parser expects `)`.
/// Found by fuzzing (tests/fuzz_regressions.rs).
fn check_parens(tree: &ast::Root, text: &str, file: FileId) -> Result<(), Error> {
    use rnix::SyntaxKind as K;
    for paren in tree.syntax().descendants() {
        if paren.kind() != K::NODE_PAREN {
            continue;
        }
        let last = paren
            .children_with_tokens()
            .filter(|c| !c.kind().is_trivia())
            .last();
        let err = match last.and_then(|c| c.into_token()) {
            Some(t) if t.kind() == K::TOKEN_R_PAREN => continue,
            Some(t) if t.kind() != K::TOKEN_L_PAREN => rnix::ParseError::UnexpectedWanted(
                t.kind(),
                t.text_range(),
                Box::new([K::TOKEN_R_PAREN]),
            ),
            _ => rnix::ParseError::UnexpectedEOFWanted(Box::new([K::TOKEN_R_PAREN])),
        };
        return Err(parse_error(&err, text, file));
    }
    Ok(())
}

/// Rejects a path literal followed by blanks or a comment and then `${` (`./a ${b}`), which C++
/// Nix's lexer ends before the blank, leaving `${` unexpected. rnix instead takes the blank and
/// the interpolation into the path, a tree its own `parts()` cannot read. The message is the one
/// rnix gives for the same text with the path token replaced by an identifier of the same
/// length (`___ ${b}`), which it does parse as C++ Nix does: same position, same "expecting".
fn check_paths(tree: &ast::Root, text: &str, file: FileId) -> Result<(), Error> {
    use rnix::SyntaxKind as K;
    let bad = tree.syntax().descendants().find(|n| {
        matches!(
            n.kind(),
            K::NODE_PATH_ABS | K::NODE_PATH_REL | K::NODE_PATH_HOME
        ) && n.children_with_tokens().any(|c| c.kind().is_trivia())
    });
    let Some(path) = bad else {
        return Ok(());
    };
    // The `${` rnix took in, or (should rnix ever keep a blank without one) the blank itself.
    let mut parts = path.children_with_tokens();
    let unexpected = (parts.clone().find(|c| c.kind() == K::NODE_INTERPOL))
        .or_else(|| parts.find(|c| c.kind().is_trivia()))
        .map_or(path.text_range(), |c| c.text_range());
    let first = path
        .first_token()
        .map_or(path.text_range(), |t| t.text_range());
    let (start, end) = (usize::from(first.start()), usize::from(first.end()));
    let stand_in = format!(
        "{}{}{}",
        &text[..start],
        "_".repeat(end - start),
        &text[end..]
    );
    let reparse = parser::parse(&stand_in);
    if let Some(err) = reparse.errors.first() {
        return Err(parse_error(err, &stand_in, file));
    }
    let at = u32::from(unexpected.start());
    Err(Error::new("syntax error, unexpected '${'")
        .with_class(ErrorClass::Parse)
        .at(Span {
            file,
            start: at,
            end: at,
        }))
}

/// The error for a lambda as a list element (`[ x: x ]`), which rnix takes: in C++ Nix's
/// grammar a list holds only selections, so bison fails at the first token of the lambda's head
/// it cannot read as one: the `:` or `@` after a name, or inside `{ ... }` what follows the
/// first name (it reads a set, expecting `.` or `=`) or the brace.
pub fn lambda_in_list(lambda: &ast::Lambda, file: FileId) -> Error {
    use rnix::SyntaxKind as K;
    let tokens: Vec<_> = lambda
        .syntax()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !t.kind().is_trivia())
        .take(3)
        .collect();
    let kinds: Vec<K> = tokens.iter().map(|t| t.kind()).collect();
    let (at, expecting) = match kinds.as_slice() {
        [K::TOKEN_L_BRACE, K::TOKEN_IDENT, ..] => (2, ", expecting '.' or '='"),
        [K::TOKEN_L_BRACE, K::TOKEN_R_BRACE, ..] => (2, ""),
        _ => (1, ""),
    };
    let (name, range) = match tokens.get(at) {
        Some(t) => (token_name(t.kind(), t.text()), t.text_range()),
        None => ("end of file".to_string(), lambda.syntax().text_range()),
    };
    Error::new(format!("syntax error, unexpected {name}{expecting}"))
        .with_class(ErrorClass::Parse)
        .at(Span {
            file,
            start: range.start().into(),
            end: range.end().into(),
        })
}

/// Rejects input nested deeper than `MAX_NESTING`: brackets, `${`, and runs of prefix
/// operators (`!!!!x`, `----1`), counted on the token stream before parsing.
fn check_nesting(text: &str, file: FileId) -> Result<(), Error> {
    use rnix::SyntaxKind as K;
    // Nesting needs an opening character per level: text with fewer of them in all (nearly
    // every file) cannot be too deep, and needs no second pass of the tokenizer.
    let openers = text
        .bytes()
        .filter(|b| matches!(b, b'(' | b'[' | b'{' | b'!' | b'-'))
        .count();
    if openers <= MAX_NESTING {
        return Ok(());
    }
    let mut depth = 0usize;
    let mut run = 0usize;
    let mut offset = 0usize;
    for (kind, tok) in lexer::tokenize(text) {
        match kind {
            K::TOKEN_L_PAREN | K::TOKEN_L_BRACK | K::TOKEN_L_BRACE | K::TOKEN_INTERPOL_START => {
                depth += 1
            }
            K::TOKEN_R_PAREN | K::TOKEN_R_BRACK | K::TOKEN_R_BRACE | K::TOKEN_INTERPOL_END => {
                depth = depth.saturating_sub(1)
            }
            _ => {}
        }
        match kind {
            K::TOKEN_INVERT | K::TOKEN_SUB => run += 1,
            K::TOKEN_WHITESPACE | K::TOKEN_COMMENT => {}
            _ => run = 0,
        }
        if depth + run > MAX_NESTING {
            return Err(too_deep(offset as u32, file));
        }
        offset += tok.len();
    }
    Ok(())
}

/// The error for input nested deeper than `MAX_NESTING`, at byte `at`.
fn too_deep(at: u32, file: FileId) -> Error {
    Error::new(format!(
        "expression nested too deeply (more than {MAX_NESTING} levels)"
    ))
    .with_class(ErrorClass::Parse)
    .at(Span {
        file,
        start: at,
        end: at,
    })
}

fn parse_error(err: &rnix::ParseError, text: &str, file: FileId) -> Error {
    use rnix::ParseError as P;
    let end = text.len() as u32;
    let (msg, range) = match err {
        P::Unexpected(r) | P::UnexpectedWanted(_, r, _) if path_with_trailing_slash(text, *r) => {
            ("path has a trailing slash".to_string(), Some(*r))
        }
        // rnix stops inside a string only at the end of the file.
        P::UnexpectedWanted(_, _, wanted) | P::UnexpectedEOFWanted(wanted)
            if wanted.contains(&rnix::SyntaxKind::TOKEN_STRING_CONTENT) =>
        {
            unterminated_string(text)
        }
        P::Unexpected(r) => (
            format!("syntax error, unexpected {}", token_at(text, *r).0),
            Some(*r),
        ),
        P::UnexpectedExtra(r) => (
            format!(
                "syntax error, unexpected {}, expecting end of file",
                token_at(text, *r).0
            ),
            Some(*r),
        ),
        P::UnexpectedWanted(_, r, wanted) => {
            let (found, kind) = token_at(text, *r);
            let before = text.get(..usize::from(r.start())).unwrap_or("");
            // After `inherit`, C++ Nix also accepts `(` and `;`: too many to name.
            let expected = match before.trim_end().ends_with("inherit") {
                true => String::new(),
                false => expecting(wanted, kind),
            };
            (
                format!("syntax error, unexpected {found}{expected}"),
                Some(*r),
            )
        }
        P::UnexpectedDoubleBind(r) => (
            "syntax error, double @-pattern binding".to_string(),
            Some(*r),
        ),
        P::UnexpectedEOF => ("syntax error, unexpected end of file".to_string(), None),
        P::UnexpectedEOFWanted(wanted) => (
            format!(
                "syntax error, unexpected end of file{}",
                expecting(wanted, None)
            ),
            None,
        ),
        P::DuplicatedArgs(r, name) => (
            format!("duplicate formal function argument '{name}'"),
            Some(*r),
        ),
        P::RecursionLimitExceeded => (
            format!("expression nested too deeply (more than {MAX_NESTING} levels)"),
            None,
        ),
        other => (format!("syntax error: {other}"), None),
    };
    let span = match range {
        Some(r) => Span {
            file,
            start: r.start().into(),
            end: r.end().into(),
        },
        None => Span {
            file,
            start: end,
            end,
        },
    };
    Error::new(msg).with_class(ErrorClass::Parse).at(span)
}

/// The message for a string still open at the end of the file, by the kind of the last string
/// opened, and where it is. An indented string where an attribute name belongs (after `.` or
/// `?`) is what C++ Nix's grammar rejects first.
fn unterminated_string(text: &str) -> (String, Option<rnix::TextRange>) {
    use rnix::SyntaxKind as K;
    let mut offset = 0usize;
    let mut previous = None;
    let mut last_start = None;
    for (kind, tok) in lexer::tokenize(text) {
        if kind == K::TOKEN_STRING_START {
            last_start = Some((offset, tok.starts_with("''"), previous));
        }
        if !matches!(kind, K::TOKEN_WHITESPACE | K::TOKEN_COMMENT) {
            previous = Some(kind);
        }
        offset += tok.len();
    }
    match last_start {
        Some((at, true, Some(K::TOKEN_DOT | K::TOKEN_QUESTION))) => {
            let at = rnix::TextSize::from(at as u32);
            let msg = concat!(
                "syntax error, unexpected start of an indented string, ",
                "expecting identifier or 'or' or '${' or '\"'"
            );
            (msg.into(), Some(rnix::TextRange::new(at, at)))
        }
        Some((_, true, _)) => (
            concat!(
                "syntax error, unexpected end of file, ",
                "expecting indented string or '${' or end of an indented string"
            )
            .into(),
            None,
        ),
        _ => (
            "syntax error, unexpected end of file, expecting '\"'".into(),
            None,
        ),
    }
}

/// The first token where an error starts, named as C++ Nix's grammar names it, and its kind.
fn token_at(text: &str, r: rnix::TextRange) -> (String, Option<rnix::SyntaxKind>) {
    use rnix::SyntaxKind as K;
    let rest = text.get(usize::from(r.start())..).unwrap_or("");
    let token =
        lexer::tokenize(rest).find(|(k, _)| !matches!(k, K::TOKEN_WHITESPACE | K::TOKEN_COMMENT));
    match token {
        Some((kind, tok)) => (token_name(kind, tok), Some(kind)),
        None => ("end of file".to_string(), None),
    }
}

/// How C++ Nix's parser (bison) calls a token in its messages.
fn token_name(kind: rnix::SyntaxKind, text: &str) -> String {
    use rnix::SyntaxKind as K;
    match kind {
        K::TOKEN_IDENT => "identifier".into(),
        K::TOKEN_INTEGER => "integer".into(),
        K::TOKEN_FLOAT => "floating-point literal".into(),
        K::TOKEN_PATH_ABS | K::TOKEN_PATH_REL => "path".into(),
        K::TOKEN_PATH_HOME => "'~/…' path".into(),
        K::TOKEN_PATH_SEARCH => "'<…>' path".into(),
        K::TOKEN_URI => "URI".into(),
        K::TOKEN_ERROR => "invalid token".into(),
        K::TOKEN_STRING_START if text.starts_with("''") => "start of an indented string".into(),
        K::TOKEN_STRING_START => "'\"'".into(),
        _ => format!("'{}'", text.chars().take(40).collect::<String>()),
    }
}

/// The ", expecting ..." part of a message. Like bison, at most four alternatives are named
/// (with more, none is). rnix's sets are translated where its grammar differs from C++ Nix's:
/// an attribute name may also start with `${` or `"`; an attribute path may go on with `.`;
/// a formal may be followed by `,`; and a number where a binding should start leaves bison
/// expecting only `inherit`.
fn expecting(wanted: &[rnix::SyntaxKind], found: Option<rnix::SyntaxKind>) -> String {
    use rnix::SyntaxKind as K;
    let names: Vec<String> = match wanted {
        [K::TOKEN_IDENT, K::TOKEN_OR, K::TOKEN_CUR_POS]
            if matches!(found, Some(K::TOKEN_INTEGER | K::TOKEN_FLOAT)) =>
        {
            vec!["'inherit'".into()]
        }
        [K::TOKEN_IDENT, K::TOKEN_OR, K::TOKEN_CUR_POS] => ["identifier", "'or'", "'${'", "'\"'"]
            .map(String::from)
            .to_vec(),
        [K::TOKEN_ASSIGN] => vec!["'.'".into(), "'='".into()],
        [K::TOKEN_R_BRACE] if found == Some(K::TOKEN_COLON) => vec!["'}'".into(), "','".into()],
        _ => wanted.iter().map(|&k| expected_name(k)).collect(),
    };
    match names.len() {
        1..=4 => format!(", expecting {}", names.join(" or ")),
        _ => String::new(),
    }
}

/// A token kind named as bison names it, for "expecting" lists.
fn expected_name(kind: rnix::SyntaxKind) -> String {
    use rnix::SyntaxKind as K;
    let text = match kind {
        K::TOKEN_IDENT => return "identifier".into(),
        K::TOKEN_STRING_END | K::TOKEN_STRING_START => "\"",
        K::TOKEN_ASSIGN => "=",
        K::TOKEN_COLON => ":",
        K::TOKEN_COMMA => ",",
        K::TOKEN_SEMICOLON => ";",
        K::TOKEN_DOT => ".",
        K::TOKEN_QUESTION => "?",
        K::TOKEN_AT => "@",
        K::TOKEN_L_BRACE => "{",
        K::TOKEN_R_BRACE => "}",
        K::TOKEN_L_BRACK => "[",
        K::TOKEN_R_BRACK => "]",
        K::TOKEN_L_PAREN => "(",
        K::TOKEN_R_PAREN => ")",
        K::TOKEN_INTERPOL_START => "${",
        K::TOKEN_INTERPOL_END => "}",
        K::TOKEN_THEN => "then",
        K::TOKEN_ELSE => "else",
        K::TOKEN_IN => "in",
        K::TOKEN_OR => "or",
        K::TOKEN_INHERIT => "inherit",
        K::TOKEN_ELLIPSIS => "...",
        other => return format!("{other:?}"),
    };
    format!("'{text}'")
}

/// rnix rejects `./dir/` as an unexpected token; C++ Nix names the problem.
fn path_with_trailing_slash(text: &str, r: rnix::TextRange) -> bool {
    let s = snippet(text, r);
    s.len() > 1
        && s.ends_with('/')
        && s.chars().any(|c| c != '/')
        && s.contains('/')
        && !s.contains(char::is_whitespace)
        && (s.starts_with('.') || s.starts_with('/') || s.starts_with('~'))
}

fn snippet(text: &str, r: rnix::TextRange) -> String {
    let s = text
        .get(usize::from(r.start())..usize::from(r.end()))
        .unwrap_or("");
    s.chars().take(40).collect()
}

/// Shows an expression the way C++ Nix's `Expr::show` does (in "assertion '...' failed"):
/// after its desugaring (`a < b` is `(__lessThan a b)`, interpolation is `+`), parenthesised.
pub fn show(expr: &ast::Expr) -> String {
    let mut out = String::new();
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || show_into(&mut out, expr));
    out
}

fn show_into(out: &mut String, expr: &ast::Expr) {
    use ast::BinOpKind as K;
    let text = || expr.syntax().text().to_string();
    match expr {
        ast::Expr::Paren(p) => match p.expr() {
            Some(e) => show_into(out, &e),
            None => out.push_str(&text()),
        },
        ast::Expr::BinOp(b) => {
            let (Some(l), Some(r), Some(op)) = (b.lhs(), b.rhs(), b.operator()) else {
                return out.push_str(&text());
            };
            let call = |out: &mut String, f: &str, x: &ast::Expr, y: &ast::Expr| {
                out.push('(');
                out.push_str(f);
                out.push(' ');
                show_into(out, x);
                out.push(' ');
                show_into(out, y);
                out.push(')');
            };
            match op {
                K::Sub => call(out, "__sub", &l, &r),
                K::Mul => call(out, "__mul", &l, &r),
                K::Div => call(out, "__div", &l, &r),
                K::Less => call(out, "__lessThan", &l, &r),
                K::More => call(out, "__lessThan", &r, &l),
                K::LessOrEq | K::MoreOrEq => {
                    out.push_str("(! ");
                    if op == K::LessOrEq {
                        call(out, "__lessThan", &r, &l)
                    } else {
                        call(out, "__lessThan", &l, &r)
                    }
                    out.push(')');
                }
                _ => {
                    let sym = match op {
                        K::Add => "+",
                        K::Concat => "++",
                        K::Update => "//",
                        K::And => "&&",
                        K::Or => "||",
                        K::Implication => "->",
                        K::Equal => "==",
                        K::NotEqual => "!=",
                        K::PipeRight => "|>",
                        _ => "<|",
                    };
                    out.push('(');
                    show_into(out, &l);
                    out.push_str(&format!(" {sym} "));
                    show_into(out, &r);
                    out.push(')');
                }
            }
        }
        ast::Expr::Apply(a) => match (a.lambda(), a.argument()) {
            (Some(f), Some(x)) => {
                out.push('(');
                show_into(out, &f);
                out.push(' ');
                show_into(out, &x);
                out.push(')');
            }
            _ => out.push_str(&text()),
        },
        ast::Expr::UnaryOp(u) => match (u.operator(), u.expr()) {
            (Some(ast::UnaryOpKind::Invert), Some(e)) => {
                out.push_str("(! ");
                show_into(out, &e);
                out.push(')');
            }
            (Some(ast::UnaryOpKind::Negate), Some(e)) => {
                out.push_str("(__sub 0 ");
                show_into(out, &e);
                out.push(')');
            }
            _ => out.push_str(&text()),
        },
        ast::Expr::Literal(l) => match l.kind() {
            ast::LiteralKind::Uri(u) => show_string(out, u.syntax().text()),
            // As C++ prints a double: `1.0` is `1`.
            ast::LiteralKind::Float(f) => match f.value() {
                Ok(x) => out.push_str(&crate::print::format_float_g(x)),
                Err(_) => out.push_str(&text()),
            },
            _ => out.push_str(&text()),
        },
        ast::Expr::AttrSet(set) => match static_bindings(set) {
            Some(tree) => show_bindings(out, &tree),
            None => out.push_str(&text()),
        },
        ast::Expr::Str(st) => show_str(out, st),
        ast::Expr::List(l) => {
            out.push_str("[ ");
            for item in l.items() {
                out.push('(');
                show_into(out, &item);
                out.push_str(") ");
            }
            out.push(']');
        }
        ast::Expr::Select(sel) => {
            let (Some(e), Some(path)) = (sel.expr(), sel.attrpath()) else {
                return out.push_str(&text());
            };
            out.push('(');
            show_into(out, &e);
            out.push_str(").");
            out.push_str(&show_attrpath(&path));
            if let Some(d) = sel.default_expr() {
                out.push_str(" or (");
                show_into(out, &d);
                out.push(')');
            }
        }
        ast::Expr::HasAttr(h) => {
            let (Some(e), Some(path)) = (h.expr(), h.attrpath()) else {
                return out.push_str(&text());
            };
            out.push_str("((");
            show_into(out, &e);
            out.push_str(") ? ");
            out.push_str(&show_attrpath(&path));
            out.push(')');
        }
        ast::Expr::IfElse(i) => match (i.condition(), i.body(), i.else_body()) {
            (Some(c), Some(t), Some(e)) => {
                out.push_str("(if ");
                show_into(out, &c);
                out.push_str(" then ");
                show_into(out, &t);
                out.push_str(" else ");
                show_into(out, &e);
                out.push(')');
            }
            _ => out.push_str(&text()),
        },
        _ => out.push_str(&text()),
    }
}

/// The bindings of a set, nested attribute paths merged (`a.b = 1; a.c = 2;` is
/// `a = { b = 1; c = 2; };`), sorted by name as C++ Nix shows them; `None` for what this does
/// not show that way (`rec`, `inherit`, dynamic names), which is shown as written.
fn static_bindings(set: &ast::AttrSet) -> Option<Bindings> {
    if set.rec_token().is_some() {
        return None;
    }
    let mut tree = Bindings::new();
    for entry in ast::HasEntry::entries(set) {
        let ast::Entry::AttrpathValue(b) = entry else {
            return None;
        };
        let names = b
            .attrpath()?
            .attrs()
            .map(|a| match a {
                ast::Attr::Ident(id) => Some(id.syntax().text().to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        let (last, path) = names.split_last()?;
        let mut at = &mut tree;
        for name in path {
            let node = at
                .entry(name.clone())
                .or_insert_with(|| Binding::Set(Bindings::new()));
            at = match node {
                Binding::Set(inner) => inner,
                Binding::Value(_) => return None,
            };
        }
        let value = b.value()?;
        match (at.get_mut(last), value) {
            (None, v) => {
                at.insert(last.clone(), Binding::Value(v));
            }
            (Some(Binding::Set(inner)), ast::Expr::AttrSet(more)) => {
                for (k, v) in static_bindings(&more)? {
                    inner.insert(k, v);
                }
            }
            _ => return None,
        }
    }
    Some(tree)
}

type Bindings = std::collections::BTreeMap<String, Binding>;

enum Binding {
    Value(ast::Expr),
    Set(Bindings),
}

fn show_bindings(out: &mut String, tree: &Bindings) {
    out.push_str("{ ");
    for (name, b) in tree {
        out.push_str(name);
        out.push_str(" = ");
        match b {
            Binding::Value(e) => show_into(out, e),
            Binding::Set(inner) => show_bindings(out, inner),
        }
        out.push_str("; ");
    }
    out.push('}');
}

/// A string expression: a literal, or its parts joined with `+` as C++ Nix desugars it.
fn show_str(out: &mut String, st: &ast::Str) {
    let parts = string_parts(st);
    if let [ast::InterpolPart::Literal(l)] = parts.as_slice() {
        return show_string(out, l);
    }
    out.push('(');
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(" + ");
        }
        match part {
            ast::InterpolPart::Literal(l) => show_string(out, l),
            ast::InterpolPart::Interpolation(x) => {
                if let Some(e) = x.expr() {
                    show_into(out, &e)
                }
            }
        }
    }
    out.push(')');
}

fn show_string(out: &mut String, s: &str) {
    let mut bytes = Vec::new();
    crate::print::print_string(&mut bytes, s.as_bytes());
    out.push_str(&String::from_utf8_lossy(&bytes));
}

fn show_attrpath(path: &ast::Attrpath) -> String {
    path.attrs()
        .map(|a| match a {
            ast::Attr::Ident(id) => id.syntax().text().to_string(),
            ast::Attr::Str(s) => {
                let mut o = String::new();
                show_str(&mut o, &s);
                o
            }
            ast::Attr::Dynamic(d) => d.syntax().text().to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The parts of a string literal with escapes resolved and, for an indented string
/// (`'' ... ''`), indentation stripped exactly as C++ Nix's lexer and `stripIndentation` do.
pub fn string_parts(s: &ast::Str) -> Vec<ast::InterpolPart<String>> {
    let indented = s
        .syntax()
        .children_with_tokens()
        .filter_map(|t| t.into_token())
        .next()
        .is_some_and(|t| t.text() == "''");
    if !indented {
        return s.normalized_parts();
    }
    let mut parts = Vec::new();
    for (i, part) in s.parts().enumerate() {
        match part {
            ast::InterpolPart::Literal(lit) => {
                let mut text = lit.syntax().text();
                // The opening `''` swallows spaces up to and including the first newline.
                if i == 0
                    && let Some(p) = text.find('\n')
                    && text[..p].chars().all(|c| c == ' ')
                {
                    text = &text[p + 1..];
                }
                parts.extend(indented_tokens(text).into_iter().map(Piece::Text))
            }
            ast::InterpolPart::Interpolation(i) => parts.push(Piece::Expr(i)),
        }
    }
    strip_indentation(parts)
}

/// A piece of an indented string: text (flagged when it is raw source text, whose spaces count
/// as indentation, rather than an escape) or an interpolation.
enum Piece {
    Text((String, bool)),
    Expr(ast::Interpol),
}

/// Splits the raw text of an indented string into C++ Nix's lexer tokens: raw runs, and the
/// escapes `''$`, `'''`, `''\x` and lone `$`/`'`, which do not count as indentation.
fn indented_tokens(raw: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut rest = raw;
    let flush = |run: &mut String, out: &mut Vec<(String, bool)>| {
        if !run.is_empty() {
            out.push((std::mem::take(run), true));
        }
    };
    while let Some(c) = rest.chars().next() {
        let escape = if let Some(r) = rest.strip_prefix("''$") {
            Some(("$".to_string(), r))
        } else if let Some(r) = rest.strip_prefix("'''") {
            Some(("''".to_string(), r))
        } else if let Some(r) = rest.strip_prefix("''\\") {
            let mut chars = r.chars();
            let e = chars.next();
            let text = match e {
                Some('n') => "\n".to_string(),
                Some('r') => "\r".to_string(),
                Some('t') => "\t".to_string(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            Some((text, chars.as_str()))
        } else if (c == '$' || c == '\'')
            && matches!(rest[1..].chars().next(), None | Some('\'') | Some('$'))
        {
            Some((c.to_string(), &rest[1..]))
        } else {
            None
        };
        match escape {
            Some((text, r)) => {
                flush(&mut run, &mut out);
                out.push((text, false));
                rest = r;
            }
            None => {
                run.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// C++ Nix's `stripIndentation`: the smallest indentation of lines that have content is removed
/// from every line, and a last line of only spaces is dropped.
fn strip_indentation(parts: Vec<Piece>) -> Vec<ast::InterpolPart<String>> {
    let mut at_start = true;
    let mut min_indent = usize::MAX;
    let mut cur = 0;
    for p in &parts {
        match p {
            Piece::Text((t, true)) => {
                for c in t.chars() {
                    if at_start {
                        match c {
                            ' ' => cur += 1,
                            '\n' => cur = 0,
                            _ => {
                                at_start = false;
                                min_indent = min_indent.min(cur);
                            }
                        }
                    } else if c == '\n' {
                        at_start = true;
                        cur = 0;
                    }
                }
            }
            _ => {
                if at_start {
                    at_start = false;
                    min_indent = min_indent.min(cur);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut at_start = true;
    let mut dropped = 0;
    let n = parts.len();
    for (i, p) in parts.into_iter().enumerate() {
        match p {
            Piece::Expr(e) => {
                at_start = false;
                dropped = 0;
                out.push(ast::InterpolPart::Interpolation(e));
            }
            Piece::Text((t, _)) => {
                let mut s = String::with_capacity(t.len());
                for c in t.chars() {
                    if at_start {
                        match c {
                            ' ' => {
                                if dropped >= min_indent {
                                    s.push(c);
                                }
                                dropped += 1;
                            }
                            '\n' => {
                                dropped = 0;
                                s.push(c);
                            }
                            _ => {
                                at_start = false;
                                dropped = 0;
                                s.push(c);
                            }
                        }
                    } else {
                        s.push(c);
                        if c == '\n' {
                            at_start = true;
                        }
                    }
                }
                if i + 1 == n
                    && let Some(p) = s.rfind('\n')
                    && s[p + 1..].chars().all(|c| c == ' ')
                {
                    s.truncate(p + 1);
                }
                out.push(ast::InterpolPart::Literal(s));
            }
        }
    }
    merge_literals(out)
}

/// Joins adjacent literal parts (escapes split them) into one.
fn merge_literals(parts: Vec<ast::InterpolPart<String>>) -> Vec<ast::InterpolPart<String>> {
    let mut out: Vec<ast::InterpolPart<String>> = Vec::with_capacity(parts.len());
    for p in parts {
        match (out.last_mut(), p) {
            (Some(ast::InterpolPart::Literal(prev)), ast::InterpolPart::Literal(s)) => {
                prev.push_str(&s)
            }
            (_, p) => out.push(p),
        }
    }
    out.retain(|p| !matches!(p, ast::InterpolPart::Literal(s) if s.is_empty()));
    out
}
