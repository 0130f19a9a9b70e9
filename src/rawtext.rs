//! Bytes that are not UTF-8, carried through text.
//!
//! Nix source, Nix strings and file names are byte strings: C++ Nix reads a file's bytes and
//! writes a string's bytes to stdout as they are. gnix parses with rnix, which takes `&str`, and
//! its messages are `String`s. So where bytes must become text, each byte that is not part of
//! valid UTF-8 becomes a *stand-in*: the code point `U+10FF00 + byte`, in plane 16's private use
//! area. rnix lexes a stand-in like any other character, so inside a string literal or a comment
//! it is content as the byte was (and outside them a syntax error, as the byte is for C++ Nix);
//! the compiler turns the stand-ins of a string literal back into their bytes (`encode`), and
//! so do the writers of output and errors. `design/values.md` ("Strings are bytes") says more.
//!
//! Decoding is exact: a stand-in code point the bytes already hold is itself written as four
//! stand-ins, one per byte, so `encode(decode(b)) == b` for all bytes. Text that does not come
//! from `decode` (a host's `&str` expression) is read with the same convention. Valid UTF-8 with
//! no byte 0xF4 (the first byte of every stand-in) takes one vectorised search and no copy.

use std::borrow::Cow;

/// The stand-in of byte 0.
const BASE: u32 = 0x10FF00;

/// The first two bytes of every stand-in's UTF-8 form (`F4 8F BC..BF 80..BF`).
const LEAD: [u8; 2] = [0xF4, 0x8F];

/// A stand-in's UTF-8 form: how many bytes it takes in text (it stands for one).
pub const STAND_IN_LEN: usize = 4;

/// The byte a character stands for, if it is a stand-in.
fn stand_in_byte(c: char) -> Option<u8> {
    u8::try_from(u32::from(c).checked_sub(BASE)?).ok()
}

fn stand_in(b: u8) -> char {
    char::from_u32(BASE + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Whether `text` holds a stand-in.
pub fn has_stand_ins(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(LEAD[0], bytes)
        .any(|i| bytes.get(i + 1) == Some(&LEAD[1]) && bytes.get(i + 2).is_some_and(|&b| b >= 0xBC))
}

/// `bytes` as text: borrowed when they are UTF-8 without a stand-in, otherwise with a stand-in
/// for each byte of an invalid sequence or of a stand-in already there.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) if !has_stand_ins(text) => Cow::Borrowed(text),
        _ => Cow::Owned(escape(bytes)),
    }
}

/// `decode` of bytes the caller owns, without a copy when they are taken as they are.
pub fn decode_owned(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) if !has_stand_ins(&text) => text,
        Ok(text) => escape(text.as_bytes()),
        Err(e) => escape(e.as_bytes()),
    }
}

fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match stand_in_byte(c) {
                Some(_) => out.extend(c.to_string().bytes().map(stand_in)),
                None => out.push(c),
            }
        }
        out.extend(chunk.invalid().iter().copied().map(stand_in));
    }
    out
}

/// The bytes `text` stands for: its stand-ins back to their bytes (borrowed without any).
pub fn encode(text: &str) -> Cow<'_, [u8]> {
    if !has_stand_ins(text) {
        return Cow::Borrowed(text.as_bytes());
    }
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match stand_in_byte(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    Cow::Owned(out)
}

/// How many stand-ins `text` holds: each takes `STAND_IN_LEN` bytes of text for one byte, which
/// columns counted in bytes (as C++ Nix counts them) must take back.
pub fn count_stand_ins(text: &str) -> usize {
    if !has_stand_ins(text) {
        return 0;
    }
    text.chars().filter(|&c| stand_in_byte(c).is_some()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed() {
        assert!(matches!(
            decode("aé\u{10FEFF}".as_bytes()),
            Cow::Borrowed(_)
        ));
        assert!(matches!(encode("aé"), Cow::Borrowed(_)));
    }

    #[test]
    fn round_trips() {
        let cases: [&[u8]; 5] = [
            b"\xff\xfe",
            b"a\xc3",
            "\u{10FF41}x".as_bytes(),
            b"\xf4\x8f\xbc",
            b"\"\xed\xa0\x80\"",
        ];
        for bytes in cases {
            let text = decode(bytes);
            assert_eq!(encode(&text).as_ref(), bytes);
            assert_eq!(decode_owned(bytes.to_vec()), text);
        }
        assert_eq!(count_stand_ins(&decode(b"\xff\xfe")), 2);
        assert_eq!(count_stand_ins(&decode("\u{10FF41}".as_bytes())), 4);
    }
}
