//! gnix named `nix-instantiate` (a symlink or a copy): that command's command line. With
//! `--eval` (or `--eval-only`) it is `gnix eval`; without, it finds the derivations in the
//! value as C++ Nix's `getDerivations` does and prints their `.drv` paths, writing the `.drv`
//! and `toFile` files under a directory store when given one.

use crate::flags::{self, Command, Options};
use crate::{to_stderr, to_stdout, write_stdout};
use gnix::select;
use gnix::{Error, ErrorClass, Evaluator, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `nix-instantiate --help` before the flags.
const USAGE: &str = "\
usage: nix-instantiate [FLAGS] (-E EXPR | FILE | -)
       nix-instantiate --eval [FLAGS] (-E EXPR | FILE | -)

gnix as nix-instantiate. Evaluates FILE (default ./default.nix) or EXPR; with --eval (or
--eval-only) prints the value as `gnix eval` does (and takes all its flags: gnix eval --help);
without, prints the .drv path of each derivation in the value (a derivation; in a set, each
attribute that is a derivation, and the sets with recurseForDerivations = true; in a list, each
element), with !OUTPUT after it when the derivation's output is not `out`.

";

/// `nix-instantiate --help` after the flags.
const OUTRO: &str = "
With NIX_STORE_DIR set (and no --store), the .drv and toFile files are written there; with
neither, nothing is written, as with --readonly-mode.
";

/// `nix-instantiate ARGS`.
pub fn main(args: &[String]) -> ExitCode {
    let mut opts = match flags::parse(args, Command::Instantiate) {
        Ok(o) => o,
        Err(e) => {
            to_stderr(&format!(
                "error: {e}\nTry 'nix-instantiate --help' for more information.\n"
            ));
            return ExitCode::from(2);
        }
    };
    if opts.help {
        return to_stdout(&flags::usage(Command::Instantiate, USAGE, OUTRO));
    }
    if opts.version {
        return to_stdout(concat!(
            "nix-instantiate (gnix) ",
            env!("CARGO_PKG_VERSION"),
            "\n"
        ));
    }
    flags::warn_unknown_settings(&opts);
    opts.instantiate = !opts.eval_mode;
    crate::start(opts)
}

/// Where `.drv` files go: the directory the store directory's paths are under (`""` when the
/// store directory is itself the place), or `None` to write nothing.
fn store_root(opts: &Options) -> Result<Option<String>, Error> {
    if opts.readonly {
        return Ok(None);
    }
    let Some(store) = &opts.store else {
        return Ok(std::env::var_os("NIX_STORE_DIR").map(|_| String::new()));
    };
    if store == "dummy://" {
        return Ok(None);
    }
    let root = match store.strip_prefix("local?root=") {
        Some(rest) => rest.split('&').next().unwrap_or_default(),
        None if store.starts_with('/') => store.as_str(),
        None => {
            return Err(Error::new(format!(
                "store '{store}' is not supported by gnix (a directory, local?root=DIR or dummy://)"
            )));
        }
    };
    Ok(Some(root.trim_end_matches('/').to_string()))
}

/// One step of `getDerivations`, kept on an explicit work list (so deep nesting costs heap,
/// not native stack).
enum Step {
    /// A value to search: called with the `--arg`s, then a derivation, a set (its
    /// attributes) or a list (its elements); anything else is an error.
    Search(Value),
    /// An attribute's value: a derivation, or a set searched when it has
    /// `recurseForDerivations = true`.
    Attribute(Value),
    /// A list element: a derivation, or searched.
    Element(Value),
}

/// Prints the `.drv` path of each derivation at each `-A` path (the whole value without one),
/// as `nix-instantiate` does, and writes the `.drv` and `toFile` files under the store
/// `store_root` names.
pub fn instantiate(ev: &mut Evaluator, opts: &Options, cwd: &Path) -> Result<(), Error> {
    let root_dir = store_root(opts)?;
    ev.settings_mut().keep_store_files = root_dir.is_some();
    let args = crate::auto_args(ev, opts, cwd)?;
    let root = crate::load(ev, opts, cwd)?;
    let whole = [String::new()];
    let paths = match opts.attr_paths.as_slice() {
        [] => &whole[..],
        paths => paths,
    };
    let (mut warned, mut roots) = (false, 0);
    for path in paths {
        let v = select::find(ev, path, &args, root.clone())?;
        let found = derivations(ev, &args, v)?;
        // Each line is printed once its derivation is computed; what was made before an
        // error is still written, as C++ Nix writes each derivation when it is made.
        let mut print = || {
            for drv in &found {
                let (drv_path, output) = drv_output(ev, drv)?;
                let shown = match &opts.add_root {
                    None => {
                        if !std::mem::replace(&mut warned, true) {
                            to_stderr(
                                "warning: you did not specify '--add-root'; the result might be removed by the garbage collector\n",
                            );
                        }
                        drv_path
                    }
                    Some(name) => {
                        roots += 1;
                        add_root(name, roots, cwd, &drv_path, root_dir.is_some())?
                    }
                };
                let suffix = match output.as_str() {
                    "out" => String::new(),
                    o => format!("!{o}"),
                };
                write_stdout(format!("{shown}{suffix}\n").as_bytes())?;
            }
            Ok(())
        };
        let printed: Result<(), Error> = print();
        if let Some(dir) = &root_dir {
            write_store_files(ev, dir)?;
        }
        printed?;
    }
    Ok(())
}

/// `--add-root NAME`: the root's path (`NAME`, then `NAME-2`, `NAME-3`, ...), a symlink to the
/// derivation when the store is written to (and then printed in its stead, as C++ Nix prints
/// a root in a local store).
fn add_root(
    name: &str,
    n: usize,
    cwd: &Path,
    drv_path: &str,
    writing: bool,
) -> Result<String, Error> {
    if !writing {
        return Ok(drv_path.to_string());
    }
    let mut root = gnix::paths::absolute(Path::new(name), cwd)
        .to_string_lossy()
        .into_owned();
    if n > 1 {
        root.push_str(&format!("-{n}"));
    }
    // A new link moved over the old one, so the root is never missing.
    let temporary = format!("{root}.tmp-{}", std::process::id());
    let failed = |e: std::io::Error| Error::new(format!("cannot make root '{root}': {e}"));
    let _ = std::fs::remove_file(&temporary);
    std::os::unix::fs::symlink(drv_path, &temporary).map_err(failed)?;
    std::fs::rename(&temporary, &root).map_err(failed)?;
    Ok(root)
}

/// The derivations in `v`, in C++ Nix's order (attributes by name), each once.
fn derivations(ev: &mut Evaluator, args: &select::AutoArgs, v: Value) -> Result<Vec<Value>, Error> {
    let mut found = Vec::new();
    // The sets already found: one derivation reached by two names is listed once.
    let mut seen = HashSet::new();
    let mut work = vec![Step::Search(v)];
    while let Some(step) = work.pop() {
        let v = match &step {
            Step::Search(v) => select::auto_call(ev, args, v.clone())?,
            Step::Attribute(v) | Step::Element(v) => ev.force(v.clone())?,
        };
        if is_derivation(ev, &v)? {
            if let Value::Attrs(set) = &v
                && seen.insert(std::rc::Rc::as_ptr(set))
            {
                // As C++ Nix's `DrvInfo::queryName`: a derivation must have a name.
                match ev.attr(&v, "name")? {
                    Some(name) => ev.as_string(&name)?,
                    None => return Err(Error::new("derivation name missing")),
                };
                found.push(v);
            }
            continue;
        }
        match (step, &v) {
            (Step::Search(_), Value::Attrs(set)) => {
                let channels = set.get_bytes(b"_combineChannels").is_some();
                let mut names: Vec<&[u8]> = set.keys().map(|k| k.as_bytes()).collect();
                names.sort();
                for name in names.into_iter().rev() {
                    if !is_attr_path_component(name) {
                        continue;
                    }
                    let Some(child) = set.get_bytes(name).cloned() else {
                        unreachable!("a name of the set was just listed")
                    };
                    work.push(match channels {
                        true => Step::Search(child),
                        false => Step::Attribute(child),
                    });
                }
            }
            (Step::Search(_), Value::List(list)) => {
                work.extend(list.iter().rev().cloned().map(Step::Element));
            }
            (Step::Search(_), _) => {
                return Err(Error::new(
                    "expression does not evaluate to a derivation (or a set or list of those)",
                )
                .with_class(ErrorClass::Type));
            }
            (Step::Attribute(_), Value::Attrs(set)) => {
                if let Some(flag) = set.get_bytes(b"recurseForDerivations").cloned()
                    && ev.as_bool(&flag)?
                {
                    work.push(Step::Search(v));
                }
            }
            (Step::Attribute(_), _) => {}
            (Step::Element(_), _) => work.push(Step::Search(v)),
        }
    }
    Ok(found)
}

/// C++ Nix's `isDerivation`: a set whose `type` is the string `"derivation"`.
fn is_derivation(ev: &mut Evaluator, v: &Value) -> Result<bool, Error> {
    let Value::Attrs(set) = v else {
        return Ok(false);
    };
    let Some(t) = set.get_bytes(b"type").cloned() else {
        return Ok(false);
    };
    Ok(match ev.force(t)? {
        Value::String(s) => s.as_bytes() == b"derivation",
        _ => false,
    })
}

/// The names `getDerivations` looks into: `[A-Za-z_][A-Za-z0-9-_+]*`.
fn is_attr_path_component(name: &[u8]) -> bool {
    match name.split_first() {
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'+'))
        }
        None => false,
    }
}

/// A derivation's `.drv` path and output name.
fn drv_output(ev: &mut Evaluator, drv: &Value) -> Result<(String, String), Error> {
    let Some(path) = ev.attr(drv, "drvPath")? else {
        return Err(Error::new(
            "derivation does not contain a 'drvPath' attribute",
        ));
    };
    let path = ev.as_string(&path)?;
    if !ev.is_in_store(&path) {
        return Err(Error::new(format!("path '{path}' is not in the Nix store")));
    }
    let output = match ev.attr(drv, "outputName")? {
        Some(o) => ev.as_string(&o)?,
        None => String::new(),
    };
    if output.is_empty() {
        return Err(Error::new(format!(
            "derivation '{path}' lacks an 'outputName' attribute"
        )));
    }
    Ok((path, output))
}

/// Writes every derivation and `toFile` file the evaluation made (as C++ Nix writes each when
/// it is made) under the store at `root`, read-only, leaving those already there.
fn write_store_files(ev: &Evaluator, root: &str) -> Result<(), Error> {
    for (path, text) in ev.store_files() {
        let file = PathBuf::from(format!("{root}{path}"));
        if file.exists() {
            continue;
        }
        let failed =
            |e: std::io::Error| Error::new(format!("cannot write '{}': {e}", file.display()));
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        std::fs::write(&file, text).map_err(failed)?;
        let mut permissions = std::fs::metadata(&file).map_err(failed)?.permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&file, permissions).map_err(failed)?;
    }
    Ok(())
}
