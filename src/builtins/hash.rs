//! `hashString` and `hashFile`: base-16 digests with md5, sha1, sha256 or sha512.

use super::string_no_ctx_of;
use super::{files, string_of};
use crate::errors::Error;
use crate::store::hex;
use crate::value::request::{HashAlgo, IoRequest};
use crate::value::{NixString, Ret, Value};
use crate::vm::request::Co;
use sha2::Digest;

crate::declare_builtins! {
    /// The base-16 digest of a string's bytes with `md5`, `sha1`, `sha256` or `sha512`. The
    /// algorithm is checked before the string is evaluated.
    ///
    /// ```nix
    /// builtins.hashString "sha256" "hello"
    /// => "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    /// ```
    ///
    /// ```nix
    /// builtins.hashString "sha3" (throw "not evaluated")
    /// => error: unknown hash algorithm 'sha3', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'
    /// ```
    "hashString" => fn hash_string(algo: Strict, s: Lazy);

    /// The base-16 digest of a file's contents with `md5`, `sha1`, `sha256` or `sha512`.
    ///
    /// ```nix
    /// builtins.hashFile "sha1" ./Cargo.toml == builtins.hashString "sha1" (builtins.readFile ./Cargo.toml)
    /// => true
    /// ```
    "hashFile" => async fn hash_file(algo: Strict, path: Lazy);
}

/// The base-16 digest of `data` with the named algorithm, or C++ Nix's error for the name.
fn digest(algo: &NixString, data: &[u8]) -> Result<String, Error> {
    Ok(match algorithm(algo)? {
        HashAlgo::Md5 => hex(&md5::Md5::digest(data)),
        HashAlgo::Sha1 => hex(&sha1::Sha1::digest(data)),
        HashAlgo::Sha256 => hex(&sha2::Sha256::digest(data)),
        HashAlgo::Sha512 => hex(&sha2::Sha512::digest(data)),
    })
}

/// The algorithm a name stands for, or C++ Nix's error for the name.
fn algorithm(algo: &NixString) -> Result<HashAlgo, Error> {
    Ok(match algo.as_bytes() {
        b"md5" => HashAlgo::Md5,
        b"sha1" => HashAlgo::Sha1,
        b"sha256" => HashAlgo::Sha256,
        b"sha512" => HashAlgo::Sha512,
        b"blake3" => {
            return Err(Error::new(
                "experimental Nix feature 'blake3-hashes' is disabled; add '--extra-experimental-features blake3-hashes' to enable it",
            ));
        }
        _ => {
            return Err(Error::new(format!(
                "unknown hash algorithm '{algo}', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'"
            ))
            .with_class(crate::errors::ErrorClass::Usage));
        }
    })
}

fn hash_string(algo: &Value, s: &Value) -> Result<Ret, Error> {
    // The algorithm is checked before anything else is evaluated, as C++ Nix does.
    let algo = string_no_ctx_of(algo)?;
    algorithm(algo)?;
    let Some(s) = s.whnf() else {
        return Ok(Ret::Force(s.clone()));
    };
    Ok(Value::string(digest(algo, string_of(&s)?.as_bytes())?).into())
}

async fn hash_file(co: Co, algo: Value, path: Value) -> Result<Value, Error> {
    let algo = algorithm(string_no_ctx_of(&algo)?)?;
    let path = files::real_path(&co, path).await?;
    let digest = super::paths::read_io(&co, IoRequest::HashFile(path.clone(), algo), &path).await?;
    Ok(Value::string(hex(&digest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_base16() {
        let d = |a: &str, s: &str| digest(&NixString::from(a), s.as_bytes()).ok();
        assert_eq!(
            d("md5", "").as_deref(),
            Some("d41d8cd98f00b204e9800998ecf8427e")
        );
        assert_eq!(
            d("sha1", "abc").as_deref(),
            Some("a9993e364706816aba3e25717850c26c9cd0d89d")
        );
        assert!(d("foo", "").is_none());
    }
}
