//! String context builtins: `getContext`, `hasContext`, `appendContext`,
//! `unsafeDiscardStringContext`, `unsafeDiscardOutputDependency`, `addDrvOutputDependencies`.
//!
//! Context elements are kept encoded as C++ Nix writes them: `/nix/store/…` (a plain path),
//! `=/nix/store/….drv` (a derivation with all its outputs), `!out!/nix/store/….drv` (one output).

use super::{arg, force_attrs, force_bool, force_list, force_string, force_string_no_ctx};
use crate::errors::Error;
use crate::value::{Attrs, Builtin, NixContext, Symbol, Value, sym};
use crate::vm::request::Co;
use crate::vm::walk::{self, Coercion};
use std::collections::BTreeMap;

/// A context element as C++ Nix displays it in messages (`path`, `drv^out`).
pub fn display_element(e: &str) -> String {
    if let Some(drv) = e.strip_prefix('=') {
        return drv.to_string();
    }
    if let Some(rest) = e.strip_prefix('!')
        && let Some((output, drv)) = rest.split_once('!')
    {
        return format!("{drv}^{output}");
    }
    e.to_string()
}

async fn unsafe_discard_string_context(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let s = walk::coerce_to_string(&co, arg(&args, 0), Coercion::INTERPOLATION).await?;
    Ok(Value::String(s.without_context()))
}

async fn has_context(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let s = force_string(&co, arg(&args, 0)).await?;
    Ok(Value::bool(s.has_context()))
}

async fn unsafe_discard_output_dependency(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let s = walk::coerce_to_string(&co, arg(&args, 0), Coercion::INTERPOLATION).await?;
    let Some(context) = s.context() else {
        return Ok(Value::String(s));
    };
    let context: NixContext = context
        .iter()
        .map(|e| e.strip_prefix('=').unwrap_or(e).to_string())
        .collect();
    Ok(Value::String(s.with_context(Some(context))))
}

async fn add_drv_output_dependencies(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let s = walk::coerce_to_string(&co, arg(&args, 0), Coercion::INTERPOLATION).await?;
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

async fn get_context(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let s = force_string(&co, arg(&args, 0)).await?;
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

async fn append_context(co: Co, args: Vec<Value>) -> Result<Value, Error> {
    let s = force_string(&co, arg(&args, 0)).await?;
    let extra = force_attrs(&co, arg(&args, 1)).await?;
    let mut context: NixContext = s.context().cloned().unwrap_or_default();
    let store_dir = crate::vm::request::store_dir(&co).await;
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

pub fn builtins() -> Vec<Builtin> {
    vec![
        def!(
            "unsafeDiscardStringContext",
            1,
            unsafe_discard_string_context,
        ),
        def!("hasContext", 1, has_context),
        def!(
            "unsafeDiscardOutputDependency",
            1,
            unsafe_discard_output_dependency,
        ),
        def!("addDrvOutputDependencies", 1, add_drv_output_dependencies),
        def!("getContext", 1, get_context),
        def!("appendContext", 2, append_context),
    ]
}
