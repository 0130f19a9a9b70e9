//! Parsing with rnix, syntax errors with positions, and showing expressions in messages.
//!
//! rnix's parser guards its own recursion (it gives up past 512 nested expressions with
//! "recursion limit exceeded"), so absurdly nested input is a syntax error, not a native stack
//! overflow; tests/cli.rs checks 100 000 nested parentheses, lists and sets.

use crate::errors::{Error, ErrorClass, FileId, Span};
use rnix::ast::{self, AstToken};
use rowan::ast::AstNode;

/// Deepest nesting accepted, like the 10 000-deep parser stack of C++ Nix's bison parser.
/// Beyond a few thousand levels rnix's tree building also turns quadratic.
pub const MAX_NESTING: usize = 10_000;

/// Parses Nix source text into its syntax tree.
pub fn parse(text: &str, file: FileId) -> Result<ast::Root, Error> {
    check_nesting(text, file)?;
    let parse = rnix::Root::parse(text);
    if let Some(err) = parse.errors().first() {
        return Err(parse_error(err, text, file));
    }
    Ok(parse.tree())
}

/// Rejects input nested deeper than `MAX_NESTING`: brackets, `${`, and runs of prefix
/// operators (`!!!!x`, `----1`), counted on the token stream before parsing.
fn check_nesting(text: &str, file: FileId) -> Result<(), Error> {
    use rnix::SyntaxKind as K;
    let mut depth = 0usize;
    let mut run = 0usize;
    let mut offset = 0usize;
    for (kind, tok) in rnix::tokenize(text) {
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
            let at = offset as u32;
            return Err(Error::new(format!(
                "expression nested too deeply (more than {MAX_NESTING} levels)"
            ))
            .with_class(ErrorClass::Parse)
            .at(Span {
                file,
                start: at,
                end: at,
            }));
        }
        offset += tok.len();
    }
    Ok(())
}

fn parse_error(err: &rnix::ParseError, text: &str, file: FileId) -> Error {
    use rnix::ParseError as P;
    let end = text.len() as u32;
    let (msg, range) = match err {
        P::Unexpected(r) => (
            format!("syntax error, unexpected '{}'", snippet(text, *r)),
            Some(*r),
        ),
        P::UnexpectedExtra(r) => (
            format!(
                "syntax error, unexpected '{}', expecting end of file",
                snippet(text, *r)
            ),
            Some(*r),
        ),
        P::UnexpectedWanted(_, r, wanted) => (
            format!(
                "syntax error, unexpected '{}', expecting {}",
                snippet(text, *r),
                kinds(wanted)
            ),
            Some(*r),
        ),
        P::UnexpectedDoubleBind(r) => (
            "syntax error, double @-pattern binding".to_string(),
            Some(*r),
        ),
        P::UnexpectedEOF => ("syntax error, unexpected end of file".to_string(), None),
        P::UnexpectedEOFWanted(wanted) => (
            format!(
                "syntax error, unexpected end of file, expecting {}",
                kinds(wanted)
            ),
            None,
        ),
        P::DuplicatedArgs(r, name) => (
            format!("duplicate formal function argument '{name}'"),
            Some(*r),
        ),
        P::RecursionLimitExceeded => (
            "expression nested too deeply (recursion limit exceeded)".to_string(),
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

fn snippet(text: &str, r: rnix::TextRange) -> String {
    let s = text
        .get(usize::from(r.start())..usize::from(r.end()))
        .unwrap_or("");
    s.chars().take(40).collect()
}

fn kinds(wanted: &[rnix::SyntaxKind]) -> String {
    wanted
        .iter()
        .map(|k| format!("{k:?}"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Shows an expression the way C++ Nix does in "assertion '...' failed": operators
/// parenthesised, everything else as written.
pub fn show(expr: &ast::Expr) -> String {
    match expr {
        ast::Expr::BinOp(b) => {
            let op = b
                .syntax()
                .children_with_tokens()
                .filter_map(|t| t.into_token())
                .find(|t| ast::BinOpKind::from_kind(t.kind()).is_some())
                .map(|t| t.text().to_string())
                .unwrap_or_default();
            match (b.lhs(), b.rhs()) {
                (Some(l), Some(r)) => format!("({} {op} {})", show(&l), show(&r)),
                _ => b.syntax().text().to_string(),
            }
        }
        ast::Expr::Apply(a) => match (a.lambda(), a.argument()) {
            (Some(f), Some(x)) => format!("({} {})", show(&f), show(&x)),
            _ => a.syntax().text().to_string(),
        },
        ast::Expr::Paren(p) => p.expr().map(|e| show(&e)).unwrap_or_default(),
        ast::Expr::UnaryOp(u) => match (u.operator(), u.expr()) {
            (Some(ast::UnaryOpKind::Invert), Some(e)) => format!("(! {})", show(&e)),
            (Some(ast::UnaryOpKind::Negate), Some(e)) => format!("(__sub 0 {})", show(&e)),
            _ => u.syntax().text().to_string(),
        },
        ast::Expr::Literal(l) => match l.kind() {
            ast::LiteralKind::Uri(u) => format!("\"{}\"", u.syntax().text()),
            _ => l.syntax().text().to_string(),
        },
        _ => expr.syntax().text().to_string(),
    }
}
