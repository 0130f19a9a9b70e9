//! Arbitrary text parsed by gnix's parser and by rnix's, whose trees and errors it must
//! reproduce exactly (tests/parser_differential.rs checks the corpus; this searches beyond it).
//! Text on which rnix gives up for nesting (past 512 levels, where gnix's parser goes on to
//! 10 000) is not compared, nor text where rnix tokenizes a number by a rule C++ Nix does not
//! have (gnix follows C++ Nix there; tests/nix_corpus's `rnix_number_quirk`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../tests/nix_corpus/mod.rs"]
mod nix_corpus;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if nix_corpus::rnix_number_quirk(text) {
        return;
    }
    let want = rnix::Root::parse(text);
    if want
        .errors()
        .contains(&rnix::ParseError::RecursionLimitExceeded)
    {
        return;
    }
    let got = gnix::parser::parse(text);
    assert_eq!(got.errors, want.errors(), "errors differ on {text:?}");
    // Green trees compare structurally (kinds, texts, children) in linear time; only a
    // difference is printed (the pretty `Debug` of a large tree is slow under ASan).
    if *want.syntax().green() != *got.green {
        let got_tree = format!("{:#?}", rnix::SyntaxNode::new_root(got.green));
        let want_tree = format!("{:#?}", want.syntax());
        assert_eq!(got_tree, want_tree, "trees differ on {text:?}");
    }
});
