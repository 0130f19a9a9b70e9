#!/usr/bin/env python3
"""Builds the fuzz targets' seed corpora (fuzz/corpus/<target>/, not committed) and the
dictionary fuzz/nix.dict, from the repository's own tests: tests/lang/*.nix, the bytecode
cases, and the Nix expressions quoted in tests/*.rs. When ../shared/nix-lang-tests exists
next to the repository (C++ Nix's language tests), its cases are read too, at run time: they
go into the generated corpus, never into the repository.

    python3 fuzz/seed.py            # corpora and dictionary
    python3 fuzz/seed.py --dict     # the dictionary only
"""

import hashlib
import re
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
SHARED = REPO.parent / "shared" / "nix-lang-tests"

KEYWORDS = ["let", "in", "rec", "with", "inherit", "if", "then", "else", "assert", "or",
            "true", "false", "null", "__curPos", "__sub", "__lessThan", "__mul", "__div",
            "__toString", "outPath", "__functor", "__overrides", "type", "derivation",
            "builtins", "import", "throw", "abort", "map", "toString", "scopedImport",
            "baseNameOf", "dirOf", "isNull", "removeAttrs", "placeholder", "fetchTarball",
            "__nixPath", "__findFile", "drvPath", "outputs", "system", "builder", "name"]
OPERATORS = ["${", "}", "''", "''$", "'''", "''\\", "\\n", "\\\"", "\\$", "$${", "\"", "{", "(",
             ")", "[", "]", ";", ":", "@", "...", ".", ",", "?", "=", "==", "!=", "<", "<=",
             ">", ">=", "&&", "||", "->", "!", "+", "-", "*", "/", "++", "//", "|>", "<|",
             "#", "/*", "*/", "x:", "{ }:", "{ a, b ? 1, ... }@args:", "a.b.c", "a.\"b\"",
             "a.${b}", " or ", "<nixpkgs>", "<nix/fetchurl.nix>", "./.", "./a", "../a", "/a",
             "~/a", "a/b", "./a${b}", "https://x.org/a", "1.5", "1e3", "0.", ".5", "-1",
             "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1.7976931348623157e308",
             "\\u0000", "\\ud800", "\t", "\r\n"]


def dictionary():
    names = [l.strip() for l in (REPO / "tests" / "builtins-list.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    out = ["# Nix tokens for libFuzzer (-dict=fuzz/nix.dict). Written by fuzz/seed.py."]
    seen = set()
    for word in KEYWORDS + OPERATORS + names + ["builtins." + n for n in names]:
        if word in seen:
            continue
        seen.add(word)
        esc = "".join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else
                      ("\\" + c if c in '"\\' else "\\x%02x" % ord(c)) for c in word)
        out.append('"%s"' % esc)
    (FUZZ / "nix.dict").write_text("\n".join(out) + "\n")


def put(target, data):
    d = FUZZ / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


# A Nix string literal in a Rust test: "..." in Rust holding Nix that itself has \" inside.
RUST_STR = re.compile(r'r#"(.*?)"#|"((?:[^"\\]|\\.)*)"', re.S)
NIXISH = re.compile(r"[=:;\[{]|\bbuiltins\.|\blet\b")


def sources():
    dirs = [REPO / "tests" / "lang", REPO / "tests" / "bytecode"]
    if SHARED.is_dir():
        dirs += [SHARED / "lang", SHARED / "tvix"]
    for d in dirs:
        for p in sorted(d.rglob("*.nix")):
            yield p.read_bytes()
    for p in sorted((REPO / "tests").glob("*.rs")):
        for m in RUST_STR.finditer(p.read_text(errors="replace")):
            s = m.group(1) if m.group(1) is not None else m.group(2)
            if s is None or len(s) < 3 or not NIXISH.search(s):
                continue
            if m.group(2) is not None:
                s = s.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                s = re.sub(r"\\\n\s*", "", s)
            yield s.encode()


# Arguments of the data builtins quoted in Nix sources, for data_builtins' seeds.
NIX_STR = r'"((?:[^"\\]|\\.)*)"'
CALL = re.compile(r"(fromJSON|fromTOML|match|split)\s*(?:''(.*?)''|" + NIX_STR + r")"
                  r"(?:\s*" + NIX_STR + r")?", re.S)


def unescape(s):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)),
                  s, flags=re.S)


def main():
    dictionary()
    if "--dict" in sys.argv:
        return
    n = 0
    for src in sources():
        n += 1
        for t in ("parse_compile", "parser_differential", "eval", "eval_gc"):
            put(t, src)
        text = src.decode(errors="replace")
        for m in CALL.finditer(text):
            which = ["fromJSON", "fromTOML", "match", "split"].index(m.group(1))
            arg = m.group(2) if m.group(2) is not None else unescape(m.group(3) or "")
            data = arg.encode()
            if which >= 2:
                data += b"\0" + unescape(m.group(4) or "").encode()
            put("data_builtins", bytes([which]) + data)
    for which, data in [(0, b'{"a": [1, -2.5e3, null, true, "\\u00e9\\ud83d\\ude00"]}'),
                        (0, b"[[[[[[[[[[]]]]]]]]]]"),
                        (1, b'a = 1\n[t]\nb = "x"\nc = [1, 2]\n[[arr]]\nd = 1979-05-27T07:32:00Z\n'),
                        (1, b"x = { y = 'lit', z = \"\"\"ml\n\"\"\" }\n"),
                        (2, b"(a|b)*c\0abac"), (2, b"[[:alpha:]]+([0-9]{2,3})\0ab123"),
                        (3, b"(,)|( )\0a, b c"), (3, b"\0")]:
        put("data_builtins", bytes([which]) + data)
    print(f"{n} sources; corpora in {FUZZ / 'corpus'}")


main()
