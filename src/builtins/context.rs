//! String context builtins: `getContext`, `hasContext`, `appendContext`,
//! `unsafeDiscardStringContext`, `unsafeDiscardOutputDependency`, `addDrvOutputDependencies`.
//!
//! Context elements are kept encoded as C++ Nix writes them: `/nix/store/…` (a plain path),
//! `=/nix/store/….drv` (a derivation with all its outputs), `!out!/nix/store/….drv` (one output).

use super::{force_attrs, force_bool, force_list, force_string_no_ctx, string_of};
use crate::errors::Error;
use crate::value::{Attrs, NixContext, Symbol, Value, sym};
use crate::vm::request::Co;
use crate::vm::walk::{self, Coercion};
use std::collections::BTreeMap;

crate::declare_builtins! {
    /// The string (coerced as in `"${...}"`) without its context: the store paths it mentions
    /// are no longer dependencies of what uses it.
    ///
    /// ```nix
    /// builtins.unsafeDiscardStringContext "${builtins.toFile "a" "x"}"
    /// => "/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a"
    /// ```
    "unsafeDiscardStringContext" => async fn unsafe_discard_string_context(s: Strict);

    /// Whether a string has a context, that is, refers to store paths or derivation outputs.
    /// The argument must be a string (no coercion).
    ///
    /// ```nix
    /// let s = "${builtins.toFile "a" "x"}"; in
    /// [ (builtins.hasContext s) (builtins.hasContext (builtins.unsafeDiscardStringContext s)) ]
    /// => [ true false ]
    /// ```
    "hasContext" => fn has_context(s: Strict);

    /// The string with each dependency on all the outputs of a derivation (as `drvPath` has)
    /// replaced by a dependency on the `.drv` file alone.
    ///
    /// ```nix
    /// let d = derivation { name = "hello"; builder = "/bin/sh"; system = "x86_64-linux"; }; in
    /// builtins.getContext (builtins.unsafeDiscardOutputDependency d.drvPath)
    /// => { "/nix/store/x0sj6ynccvc1a8kxr8fifnlf7qlxw6hd-hello.drv" = { path = true; }; }
    /// ```
    "unsafeDiscardOutputDependency" => async fn unsafe_discard_output_dependency(s: Strict);

    /// The inverse of `unsafeDiscardOutputDependency`: a string whose context is exactly one
    /// `.drv` file gets a dependency on all the outputs of that derivation instead.
    ///
    /// ```nix
    /// let d = derivation { name = "hello"; builder = "/bin/sh"; system = "x86_64-linux"; }; in
    /// builtins.getContext (builtins.addDrvOutputDependencies (builtins.unsafeDiscardOutputDependency d.drvPath))
    /// => { "/nix/store/x0sj6ynccvc1a8kxr8fifnlf7qlxw6hd-hello.drv" = { allOutputs = true; }; }
    /// ```
    ///
    /// ```nix
    /// builtins.addDrvOutputDependencies "plain"
    /// => error: context of string 'plain' must have exactly one element, but has 0
    /// ```
    "addDrvOutputDependencies" => async fn add_drv_output_dependencies(s: Strict);

    /// The context of a string as a set keyed by store path: `path = true` for a plain path,
    /// `allOutputs = true` for all the outputs of a derivation (as `drvPath` has), `outputs`
    /// for the outputs it uses.
    ///
    /// ```nix
    /// let d = derivation { name = "hello"; builder = "/bin/sh"; system = "x86_64-linux"; }; in
    /// builtins.getContext "${d} ${d.drvPath} ${builtins.toFile "a" "x"}"
    /// => { "/nix/store/12wigjpizrn8axaqxj288q1b751qmwya-a" = { path = true; }; "/nix/store/x0sj6ynccvc1a8kxr8fifnlf7qlxw6hd-hello.drv" = { allOutputs = true; outputs = [ "out" ]; }; }
    /// ```
    "getContext" => fn get_context(s: Strict);

    /// Adds context, given in the form `getContext` returns, to a string. Each key must be a
    /// store path, and only a `.drv` file may have `allOutputs` or `outputs`.
    ///
    /// ```nix
    /// builtins.getContext (builtins.appendContext "x" {
    ///   "/nix/store/00000000000000000000000000000000-a.drv" = { outputs = [ "out" "dev" ]; };
    /// })
    /// => { "/nix/store/00000000000000000000000000000000-a.drv" = { outputs = [ "dev" "out" ]; }; }
    /// ```
    ///
    /// ```nix
    /// builtins.appendContext "x" { "/tmp/a" = { path = true; }; }
    /// => error: context key '/tmp/a' is not a store path
    /// ```
    "appendContext" => async fn append_context(s: Strict, extra: Lazy);
}

async fn unsafe_discard_string_context(co: Co, s: Value) -> Result<Value, Error> {
    let s = walk::coerce_to_string(&co, s, Coercion::INTERPOLATION).await?;
    Ok(Value::String(s.without_context()))
}

fn has_context(s: &Value) -> Result<Value, Error> {
    Ok(Value::bool(string_of(s)?.has_context()))
}

async fn unsafe_discard_output_dependency(co: Co, s: Value) -> Result<Value, Error> {
    let s = walk::coerce_to_string(&co, s, Coercion::INTERPOLATION).await?;
    let Some(context) = s.context() else {
        return Ok(Value::String(s));
    };
    let context: NixContext = context
        .iter()
        .map(|e| e.strip_prefix('=').unwrap_or(e).to_string())
        .collect();
    Ok(Value::String(s.with_context(Some(context))))
}

async fn add_drv_output_dependencies(co: Co, s: Value) -> Result<Value, Error> {
    let s = walk::coerce_to_string(&co, s, Coercion::INTERPOLATION).await?;
    let n = s.context().map_or(0, |c| c.len());
    let element = match s.context().and_then(|c| c.iter().next()) {
        Some(e) if n == 1 => e.clone(),
        _ => {
            return Err(Error::new(format!(
                "context of string '{s}' must have exactly one element, but has {n}"
            )));
        }
    };
    let deep = if element.starts_with('=') {
        element
    } else if let Some(rest) = element.strip_prefix('!') {
        let output = rest.split_once('!').map_or(rest, |(o, _)| o);
        return Err(Error::new(format!(
            "`addDrvOutputDependencies` can only act on derivations, not on a derivation output such as '{output}'"
        )));
    } else if element.ends_with(".drv") {
        format!("={element}")
    } else {
        return Err(Error::new(format!("path '{element}' is not a derivation")));
    };
    Ok(Value::String(
        s.with_context(Some(NixContext::from([deep]))),
    ))
}

#[derive(Default)]
struct Info {
    path: bool,
    all_outputs: bool,
    outputs: Vec<String>,
}

fn get_context(s: &Value) -> Result<Value, Error> {
    let s = string_of(s)?;
    let mut infos: BTreeMap<String, Info> = BTreeMap::new();
    for e in s.context().into_iter().flatten() {
        if let Some(drv) = e.strip_prefix('=') {
            infos.entry(drv.to_string()).or_default().all_outputs = true;
        } else if let Some((output, drv)) = e.strip_prefix('!').and_then(|r| r.split_once('!')) {
            infos
                .entry(drv.to_string())
                .or_default()
                .outputs
                .push(output.to_string());
        } else {
            infos.entry(e.clone()).or_default().path = true;
        }
    }
    let entries = infos
        .into_iter()
        .map(|(path, info)| {
            let mut fields: Vec<(Symbol, Value)> = Vec::new();
            if info.all_outputs {
                fields.push(("allOutputs".into(), Value::bool(true)));
            }
            if !info.outputs.is_empty() {
                let outputs = info.outputs.into_iter().map(Value::string).collect();
                fields.push(("outputs".into(), Value::list(outputs)));
            }
            if info.path {
                fields.push(("path".into(), Value::bool(true)));
            }
            (Symbol::from(path), Value::attrs(Attrs::from_sorted(fields)))
        })
        .collect();
    Ok(Value::attrs(Attrs::from_sorted(entries)))
}

async fn append_context(co: Co, s: Value, extra: Value) -> Result<Value, Error> {
    let s = string_of(&s)?;
    // The second argument is evaluated once the first is known to be a string, as in C++ Nix.
    let extra = force_attrs(&co, extra).await?;
    let store_dir = crate::vm::request::store_dir(&co).await;
    let mut context: NixContext = s.context().cloned().unwrap_or_default();
    for (name, value) in extra.iter() {
        let name = name.to_str_lossy().into_owned();
        if crate::store::to_store_path(&store_dir, &name)
            .ok()
            .as_deref()
            != Some(name.as_str())
        {
            return Err(Error::new(format!(
                "context key '{name}' is not a store path"
            )));
        }
        let info = force_attrs(&co, value.clone()).await?;
        if let Some(p) = info.get(sym!("path"))
            && force_bool(&co, p.clone()).await?
        {
            context.insert(name.clone());
        }
        if let Some(a) = info.get(sym!("allOutputs"))
            && force_bool(&co, a.clone()).await?
        {
            if !name.ends_with(".drv") {
                return Err(Error::new(format!(
                    "tried to add all-outputs context of {name}, which is not a derivation, to a string"
                )));
            }
            context.insert(format!("={name}"));
        }
        if let Some(o) = info.get(sym!("outputs")) {
            let outputs = force_list(&co, o.clone()).await?;
            if !outputs.is_empty() && !name.ends_with(".drv") {
                return Err(Error::new(format!(
                    "tried to add derivation output context of {name}, which is not a derivation, to a string"
                )));
            }
            for output in outputs.iter() {
                let output = force_string_no_ctx(&co, output.clone()).await?;
                context.insert(format!("!{output}!{name}"));
            }
        }
    }
    Ok(Value::String(s.with_context(Some(context))))
}
