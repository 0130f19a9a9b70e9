//! Hashing reads files as streams (`EvalIo::open_file`): `hashFile` and the store paths of
//! files (`"${./f}"`, `builtins.path`) never ask for a file whole. The host here refuses
//! `read_file` for its large file, so any whole read fails the test; the digests and store paths
//! must equal those of the same bytes held whole in memory (`MemoryIo`).

use gnix::io::{EvalIo, FileStream, FileType, MemoryIo};
use gnix::{Evaluator, Settings};
use sha2::Digest;
use std::ffi::OsString;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// 48 MiB and a few bytes: several of the stream's pieces, and a length that needs NAR padding.
const LEN: u64 = 48 * 1024 * 1024 + 3;

/// Byte `i` of the generated file.
fn byte(i: u64) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

/// A reader of the generated file, which stops after `stop` bytes (a file that shrinks while
/// it is read stops early).
struct Generated {
    at: u64,
    stop: u64,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (self.stop - self.at).min(buf.len() as u64) as usize;
        for (k, b) in buf[..n].iter_mut().enumerate() {
            *b = byte(self.at + k as u64);
        }
        self.at += n as u64;
        Ok(n)
    }
}

/// `/dir/big` (generated; only `open_file` reads it) and `/dir/shrinks` (says it holds `LEN`
/// bytes, gives fewer).
struct StreamOnly;

impl EvalIo for StreamOnly {
    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        Err(io::Error::other(format!(
            "{} was asked for whole",
            path.display()
        )))
    }
    fn open_file(&self, path: &Path) -> io::Result<FileStream<'_>> {
        let stop = match path.to_str() {
            Some("/dir/big") => LEN,
            Some("/dir/shrinks") => LEN / 2,
            _ => return Err(io::ErrorKind::NotFound.into()),
        };
        Ok(FileStream {
            len: LEN,
            reader: Box::new(Generated { at: 0, stop }),
        })
    }
    fn file_type(&self, path: &Path) -> io::Result<FileType> {
        match path.to_str() {
            Some("/" | "/dir") => Ok(FileType::Directory),
            Some("/dir/big" | "/dir/shrinks") => Ok(FileType::Regular),
            _ => Err(io::ErrorKind::NotFound.into()),
        }
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<(OsString, FileType)>> {
        match path.to_str() {
            Some("/dir") => Ok(vec![("big".into(), FileType::Regular)]),
            _ => Err(io::ErrorKind::NotFound.into()),
        }
    }
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        Ok(path.to_path_buf())
    }
    fn read_link(&self, _: &Path) -> io::Result<PathBuf> {
        Err(io::ErrorKind::InvalidInput.into())
    }
    fn is_executable(&self, _: &Path) -> io::Result<bool> {
        Ok(false)
    }
    fn get_env(&self, _: &str) -> Option<String> {
        None
    }
    fn trace(&self, _: &str) {}
}

fn eval(io: Box<dyn EvalIo>, expr: &str) -> Result<String, String> {
    let mut ev = Evaluator::with_io(Settings::default(), io);
    ev.eval_expr(expr, Path::new("/"))
        .and_then(|v| ev.deep_force(v))
        .map(|v| gnix::print::print_value(&v))
        .map_err(|e| ev.render_error(&e, false))
}

fn whole() -> Vec<u8> {
    (0..LEN).map(byte).collect()
}

#[test]
fn hash_file_streams() {
    let hex: String = sha2::Sha256::digest(whole())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let want = format!("\"{hex}\"");
    let got = eval(
        Box::new(StreamOnly),
        r#"builtins.hashFile "sha256" /dir/big"#,
    );
    assert_eq!(got, Ok(want));
    let md5 = eval(Box::new(StreamOnly), r#"builtins.hashFile "md5" /dir/big"#);
    let in_memory = MemoryIo::new().file("/dir/big", whole());
    let md5_whole = eval(Box::new(in_memory), r#"builtins.hashFile "md5" /dir/big"#);
    assert_eq!(md5, md5_whole);
}

#[test]
fn store_paths_of_files_and_trees_stream() {
    let exprs = [
        r#""${/dir/big}""#,
        r#""${/dir}""#,
        r#"builtins.path { path = /dir/big; recursive = false; }"#,
        r#"builtins.path { path = /dir; name = "d"; }"#,
    ];
    for expr in exprs {
        let streamed = eval(Box::new(StreamOnly), expr);
        assert!(streamed.is_ok(), "{expr}: {streamed:?}");
        let whole = eval(Box::new(MemoryIo::new().file("/dir/big", whole())), expr);
        assert_eq!(streamed, whole, "{expr}");
    }
}

#[test]
fn a_file_that_changes_size_while_read_is_an_error() {
    for expr in [
        r#"builtins.hashFile "sha1" /dir/shrinks"#,
        r#""${/dir/shrinks}""#,
    ] {
        let e = eval(Box::new(StreamOnly), expr).expect_err(expr);
        assert!(e.contains("changed size while it was read"), "{expr}: {e}");
    }
}
