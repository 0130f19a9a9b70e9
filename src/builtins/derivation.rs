//! `derivationStrict`, `derivation`, `placeholder`, `toFile`: derivations computed as C++ Nix
//! computes them (ATerm serialisation, hashes modulo fixed outputs, output and `.drv` paths)
//! without writing anything to a store.

use super::{attrs_of, force_list, force_string, string_of};
use crate::errors::{Error, TraceLine};
use crate::store;
use crate::value::{Attrs, NixContext, NixString, Symbol, Value, sym};
use crate::vm::request::{self, Co, KnownDrv, force};
use crate::vm::walk::{self, Coercion};
use std::collections::{BTreeMap, BTreeSet};

crate::declare_builtins! {
    /// The primitive under `derivation`: computes the derivation an attribute set describes
    /// (its attributes, coerced to strings, become the builder's environment, `args` its
    /// arguments; `name`, `builder` and `system` are required) and returns its `.drv` path and
    /// its output paths, as strings depending on them.
    ///
    /// ```nix
    /// builtins.derivationStrict { name = "hello"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = [ "out" "dev" ]; }
    /// => { dev = "/nix/store/0gsr12d2vfjhsj1n9ac0pria39pi2d0s-hello-dev"; drvPath = "/nix/store/q36spprbd4p2bgahikhg1l21vkyvpxpn-hello.drv"; out = "/nix/store/fg6jkp5i92304dv5rfy7cs1py2mgig69-hello"; }
    /// ```
    ///
    /// ```nix
    /// builtins.derivationStrict { name = "a"; system = "x86_64-linux"; }
    /// => error: attribute 'builder' missing
    /// ```
    "derivationStrict" [top_level] => async fn derivation_strict(attrs: Strict);

    /// The placeholder for a derivation output: a string that the output's path replaces in
    /// the derivation's environment when it is built.
    ///
    /// ```nix
    /// builtins.placeholder "out"
    /// => "/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9"
    /// ```
    "placeholder" [top_level] => fn placeholder(output: Strict);

    /// Writes a string to a file in the store and returns its path, as a string depending on
    /// it (gnix computes the path; only `nix-instantiate` with a directory store writes it). The store paths in the string's context
    /// become the file's references; derivation outputs are refused.
    ///
    /// ```nix
    /// builtins.toFile "hello.txt" "Hello, world!\n"
    /// => "/nix/store/i3vl5f9f521bladwcs3zi5gmc1pd6qr6-hello.txt"
    /// ```
    "toFile" => async fn to_file(name: Strict, contents: Lazy);
}

/// `derivation` itself is Nix code around `derivationStrict`, as in C++ Nix.
pub const DERIVATION_NIX: &str = r#"
drvAttrs@{ outputs ? [ "out" ], ... }:
let
  strict = derivationStrict drvAttrs;
  commonAttrs = drvAttrs // (builtins.listToAttrs outputsList) // {
    all = map (x: x.value) outputsList;
    inherit drvAttrs;
  };
  outputToAttrListElement = outputName: {
    name = outputName;
    value = commonAttrs // {
      outPath = builtins.getAttr outputName strict;
      drvPath = strict.drvPath;
      type = "derivation";
      inherit outputName;
    };
  };
  outputsList = map outputToAttrListElement outputs;
in
(builtins.head outputsList).value
"#;

/// A derivation being assembled.
#[derive(Default)]
struct Drv {
    outputs: BTreeMap<String, (String, String, String)>,
    input_drvs: BTreeMap<String, BTreeSet<String>>,
    input_srcs: BTreeSet<String>,
    platform: String,
    builder: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
}

/// Appends `s` as an ATerm string: runs without special characters are copied whole (a
/// derivation's text is mostly paths and names, and pushing it a character at a time was a
/// tenth of the derivation workload's time).
fn quote(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => continue,
        };
        // `i` is a character boundary: the escaped characters are ASCII.
        out.push_str(&s[start..i]);
        out.push_str(escaped);
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

fn list<T>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut String, T),
) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

impl Drv {
    /// The ATerm text of the derivation; `input_drvs` may be replaced (hashing modulo).
    fn aterm(&self, input_drvs: &BTreeMap<String, BTreeSet<String>>) -> String {
        let mut o = String::from("Derive(");
        list(&mut o, &self.outputs, |o, (name, (path, algo, hash))| {
            o.push('(');
            for (i, s) in [name, path, algo, hash].into_iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                quote(o, s);
            }
            o.push(')');
        });
        o.push(',');
        list(&mut o, input_drvs, |o, (path, outs)| {
            o.push('(');
            quote(o, path);
            o.push(',');
            list(o, outs, |o, s| quote(o, s));
            o.push(')');
        });
        o.push(',');
        list(&mut o, &self.input_srcs, |o, s| quote(o, s));
        o.push(',');
        quote(&mut o, &self.platform);
        o.push(',');
        quote(&mut o, &self.builder);
        o.push(',');
        list(&mut o, &self.args, |o, s| quote(o, s));
        o.push(',');
        list(&mut o, &self.env, |o, (k, v)| {
            o.push('(');
            quote(o, k);
            o.push(',');
            quote(o, v);
            o.push(')');
        });
        o.push(')');
        o
    }
}

/// Coerces a derivation attribute the way C++ Nix does (`true` is "1", lists are joined); a
/// value that cannot be coerced says `what` it was for.
async fn attr_string(
    co: &Co,
    v: Value,
    ctx: &mut NixContext,
    what: Option<&'static str>,
) -> Result<String, Error> {
    let how = Coercion {
        weak: true,
        copy_to_store: true,
        what,
        at: None,
    };
    let s = walk::coerce_to_string(co, v, how).await?;
    if let Some(c) = s.context() {
        ctx.extend(c.iter().cloned());
    }
    Ok(s.to_str_lossy().into_owned())
}

/// The output names an `outputs` attribute gives (the words of its string, or with structured
/// attributes the strings of its list): distinct, not `drvPath`, at least one.
fn output_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, Error> {
    let mut outputs: Vec<String> = Vec::new();
    for o in names {
        if o == "drvPath" {
            return Err(Error::new("invalid derivation output name 'drvPath'"));
        }
        if outputs.iter().any(|x| x == o) {
            return Err(Error::new(format!("duplicate derivation output '{o}'")));
        }
        outputs.push(o.to_string());
    }
    if outputs.is_empty() {
        return Err(Error::new("derivation cannot have an empty set of outputs"));
    }
    Ok(outputs)
}

/// `outputHashMode`, checked.
fn hash_mode_named(s: &str) -> Result<String, Error> {
    match s {
        "flat" | "recursive" | "nar" | "text" | "git" => Ok(s.to_string()),
        _ => Err(Error::new(format!(
            "invalid value '{s}' for 'outputHashMode' attribute"
        ))),
    }
}

/// What a structured attribute means to the derivation besides its JSON.
enum Special {
    Builder(String),
    System(String),
    Hash(String),
    HashAlgo(String),
    HashMode(String),
    Outputs(Vec<String>),
    /// An attribute whose effect structured attributes move to `outputChecks` (a warning).
    Ineffective,
    No,
}

/// Reads what the derivation itself takes from a structured attribute: `builder` a string
/// (its context kept), `system` and the `outputHash*` strings without context, `outputs` a
/// list of strings, as C++ Nix does.
async fn structured_attr(
    co: &Co,
    key: &str,
    value: Value,
    ctx: &mut NixContext,
) -> Result<Special, Error> {
    let plain = |v: Value| async move {
        let s = super::force_string_no_ctx(co, v).await?;
        Ok::<String, Error>(s.to_str_lossy().into_owned())
    };
    Ok(match key {
        "builder" => {
            let s = force_string(co, value).await?;
            if let Some(c) = s.context() {
                ctx.extend(c.iter().cloned());
            }
            Special::Builder(s.to_str_lossy().into_owned())
        }
        "system" => Special::System(plain(value).await?),
        "outputHash" => Special::Hash(plain(value).await?),
        "outputHashAlgo" => Special::HashAlgo(plain(value).await?),
        "outputHashMode" => Special::HashMode(hash_mode_named(&plain(value).await?)?),
        "outputs" => {
            let mut names = Vec::new();
            for o in force_list(co, value).await?.iter() {
                names.push(plain(o.clone()).await?);
            }
            Special::Outputs(output_names(names.iter().map(String::as_str))?)
        }
        "allowedReferences"
        | "allowedRequisites"
        | "disallowedReferences"
        | "disallowedRequisites"
        | "maxSize"
        | "maxClosureSize" => Special::Ineffective,
        _ => Special::No,
    })
}

/// The `__json` of structured attributes: an object of each attribute's JSON, keys in byte
/// order and nothing between the tokens, as C++ Nix writes it.
fn json_object(attrs: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = attrs.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::from("{");
    for (i, (key, json)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&super::json::json_quote(key));
        out.push(':');
        out.push_str(json);
    }
    out.push('}');
    out
}

async fn derivation_strict(co: Co, attrs: Value) -> Result<Value, Error> {
    let attrs = attrs_of(&attrs)?;
    // Asked first: it always suspends the body, so an attempt on the spot gives up before
    // doing work the generator would do again.
    let store_dir = request::store_dir(&co).await;
    let name = match attrs.get(sym!("name")) {
        Some(n) => match force_string(&co, n.clone()).await {
            Ok(s) => s.to_str_lossy().into_owned(),
            Err(mut e) => {
                let what =
                    "while evaluating the `name` attribute passed to builtins.derivationStrict";
                e.add_trace(None, what);
                let at = attrs.position(sym!("name"));
                e.add_trace(at, "while evaluating the derivation attribute 'name'");
                return Err(e);
            }
        },
        None => {
            let mut e = crate::vm::ops::missing_named("name");
            e.add_trace(
                None,
                "in the attrset passed as argument to builtins.derivationStrict",
            );
            return Err(e);
        }
    };
    match derivation_named(&co, attrs, &name, &store_dir).await {
        Ok(v) => Ok(v),
        Err(mut e) => {
            // Shown even where the trace is cut short, as C++ Nix does: which derivation of
            // a chain of them failed; where its name is, without an excerpt.
            let at = match attrs.position(sym!("name")) {
                Some(span) => position_text(&request::position(&co, span).await),
                None => "«unknown»".to_string(),
            };
            let mut line = TraceLine::new(
                None,
                format!(
                    "while evaluating derivation '{name}'\n  whose name attribute is located at {at}"
                ),
            );
            line.always = true;
            e.trace.push(line);
            Err(e)
        }
    }
}

/// `file:line:column` of a position `builtins.unsafeGetAttrPos` gives.
fn position_text(pos: &Value) -> String {
    let Value::Attrs(pos) = pos else {
        return "«unknown»".to_string();
    };
    let part = |name| match pos.get(Symbol::from(name)) {
        Some(Value::String(s)) => s.to_str_lossy().into_owned(),
        Some(Value::Int(i)) => i.to_string(),
        _ => String::new(),
    };
    format!("{}:{}:{}", part("file"), part("line"), part("column"))
}

/// The derivation `derivationStrict` makes of `attrs`, once its name is known.
async fn derivation_named(
    co: &Co,
    attrs: &Attrs,
    name: &str,
    store_dir: &str,
) -> Result<Value, Error> {
    if let Some(c) = store::valid_name(name) {
        return Err(Error::new(format!(
            "invalid derivation name: name '{name}' contains illegal character '{c}'. Please pass a different 'name'."
        )));
    }
    // As C++ Nix: these two are read before the attributes are processed.
    let flag = |name: &'static str| async move {
        match attrs.get(Symbol::from(name)) {
            Some(v) => super::force_bool(co, v.clone()).await.map_err(|mut e| {
                let what = format!(
                    "while evaluating the `{name}` attribute passed to builtins.derivationStrict"
                );
                e.add_trace(None, what);
                e
            }),
            None => Ok(false),
        }
    };
    let structured = flag("__structuredAttrs").await?;
    let ignore_nulls = flag("__ignoreNulls").await?;
    let mut drv = Drv::default();
    let mut ctx = NixContext::new();
    let mut outputs = vec!["out".to_string()];
    // With structured attributes: each attribute's JSON, in order, for `__json`.
    let mut json_attrs: Vec<(String, String)> = Vec::new();
    let (mut hash, mut hash_algo, mut hash_mode) = (None, None, "flat".to_string());
    for (symbol, value) in attrs.iter() {
        let key = symbol.to_str_lossy().into_owned();
        let done: Result<(), Error> = async {
                if key == "__ignoreNulls" {
                return Ok(());
            }
            let value = force(co, value.clone()).await;
            if ignore_nulls && matches!(value, Value::Null) {
                return Ok(());
            }
            match key.as_str() {
                "__contentAddressed" | "__impure" => {
                    if super::force_bool(co, value.clone()).await? {
                        let feature = match key.as_str() {
                            "__impure" => "impure-derivations",
                            _ => "ca-derivations",
                        };
                        return Err(Error::new(format!(
                            "experimental Nix feature '{feature}' is disabled; add '--extra-experimental-features {feature}' to enable it"
                        )));
                    }
                    // Not passed to the builder.
                    return Ok(());
                }
                "args" => {
                    for a in force_list(co, value).await?.iter() {
                        let what = Some("while evaluating an element of the argument list");
                        drv.args.push(attr_string(co, a.clone(), &mut ctx, what).await?);
                    }
                    return Ok(());
                }
                "__structuredAttrs" if structured => return Ok(()),
                _ if structured => {
                    let json = super::json::to_json_string(co, value.clone()).await?;
                    if let Some(c) = json.context() {
                        ctx.extend(c.iter().cloned());
                    }
                    json_attrs.push((key.clone(), json.to_str_lossy().into_owned()));
                    let special = structured_attr(co, &key, value, &mut ctx).await?;
                    match special {
                        Special::Builder(b) => drv.builder = b,
                        Special::System(p) => drv.platform = p,
                        Special::Hash(h) => hash = Some(h),
                        Special::HashAlgo(a) => hash_algo = Some(a),
                        Special::HashMode(m) => hash_mode = m,
                        Special::Outputs(o) => outputs = o,
                        Special::Ineffective => {
                            let message = format!(
                                "'structuredAttrs' disables the effect of the derivation attribute '{key}'; use 'outputChecks.<output>.{key}' instead"
                            );
                            let context = format!("while evaluating derivation '{name}'");
                            request::warn(co, message, attrs.position(symbol), context).await;
                        }
                        Special::No => {}
                    }
                    return Ok(());
                }
                _ => {}
            }
            let s = attr_string(co, value, &mut ctx, None).await?;
            match key.as_str() {
                "builder" => drv.builder = s.clone(),
                "system" => drv.platform = s.clone(),
                "outputHash" => hash = Some(s.clone()),
                "outputHashAlgo" => hash_algo = Some(s.clone()),
                "outputHashMode" => hash_mode = hash_mode_named(&s)?,
                "outputs" => outputs = output_names(s.split_whitespace())?,
                _ => {}
            }
            drv.env.insert(key.clone(), s);
            Ok(())
        }
        .await;
        if let Err(mut e) = done {
            let what = format!("while evaluating attribute '{key}' of derivation '{name}'");
            e.add_trace(attrs.position(symbol), what);
            return Err(e);
        }
    }
    for (what, value) in [("builder", &drv.builder), ("system", &drv.platform)] {
        if value.is_empty() {
            return Err(Error::new(format!("required attribute '{what}' missing"))
                .with_class(crate::errors::ErrorClass::MissingAttribute));
        }
    }
    if structured {
        drv.env.insert("__json".into(), json_object(&json_attrs));
    }
    inputs_from_context(co, &ctx, &mut drv).await?;
    let hash_modulo = match hash {
        Some(h) => fixed_output(
            &mut drv, store_dir, name, &outputs, &h, hash_algo, &hash_mode,
        )?,
        None => input_addressed(co, &mut drv, store_dir, name, &outputs).await?,
    };
    let aterm = drv.aterm(&drv.input_drvs);
    let refs: BTreeSet<String> = drv
        .input_drvs
        .keys()
        .chain(drv.input_srcs.iter())
        .cloned()
        .collect();
    let drv_path =
        store::make_text_path(store_dir, &format!("{name}.drv"), aterm.as_bytes(), &refs);
    request::register_derivation(
        co,
        drv_path.clone(),
        KnownDrv {
            hash_modulo,
            outputs: outputs.clone(),
            aterm: Some(aterm.into()),
        },
    )
    .await;
    let mut result = vec![(
        Symbol::from("drvPath"),
        Value::String(NixString::new(
            drv_path.as_bytes(),
            Some([format!("={drv_path}")].into()),
        )),
    )];
    for o in &outputs {
        let path = drv.outputs.get(o).map(|x| x.0.clone()).unwrap_or_default();
        let c: NixContext = [format!("!{o}!{drv_path}")].into();
        result.push((
            o.as_str().into(),
            Value::String(NixString::new(path.as_bytes(), Some(c))),
        ));
    }
    Ok(Value::attrs(Attrs::from_unsorted(result)))
}

/// Turns the string context of the attributes into input derivations and sources.
async fn inputs_from_context(co: &Co, ctx: &NixContext, drv: &mut Drv) -> Result<(), Error> {
    for elem in ctx {
        if let Some(path) = elem.strip_prefix('=') {
            let known = request::lookup_derivation(co, path.to_string()).await;
            let outs = known.map(|k| k.outputs).unwrap_or_default();
            drv.input_drvs
                .entry(path.to_string())
                .or_default()
                .extend(outs);
            drv.input_srcs.insert(path.to_string());
        } else if let Some(rest) = elem.strip_prefix('!') {
            if let Some((output, path)) = rest.split_once('!') {
                drv.input_drvs
                    .entry(path.to_string())
                    .or_default()
                    .insert(output.to_string());
            }
        } else {
            drv.input_srcs.insert(elem.clone());
        }
    }
    Ok(())
}

fn fixed_output(
    drv: &mut Drv,
    store_dir: &str,
    name: &str,
    outputs: &[String],
    hash: &str,
    algo: Option<String>,
    mode: &str,
) -> Result<[u8; 32], Error> {
    if outputs != ["out"] {
        return Err(Error::new(
            "multiple outputs are not supported in fixed-output derivations",
        ));
    }
    let recursive = match mode {
        "flat" => false,
        "recursive" | "nar" => true,
        other => {
            return Err(Error::new(format!(
                "invalid value '{other}' for 'outputHashMode' attribute"
            )));
        }
    };
    let algo = algo.filter(|a| !a.is_empty());
    let (algo, bytes) = store::decode_hash(hash, algo.as_deref())
        .ok_or_else(|| Error::new(format!("invalid hash '{hash}'")))?;
    let path = store::make_fixed_output_path(store_dir, name, recursive, &algo, &bytes);
    let method = if recursive { "r:" } else { "" };
    let hex = store::hex(&bytes);
    drv.env.insert("out".into(), path.clone());
    drv.outputs.insert(
        "out".into(),
        (path.clone(), format!("{method}{algo}"), hex.clone()),
    );
    Ok(store::sha256(
        format!("fixed:out:{method}{algo}:{hex}:{path}").as_bytes(),
    ))
}

async fn input_addressed(
    co: &Co,
    drv: &mut Drv,
    store_dir: &str,
    name: &str,
    outputs: &[String],
) -> Result<[u8; 32], Error> {
    for o in outputs {
        drv.env.insert(o.clone(), String::new());
        drv.outputs.insert(o.clone(), Default::default());
    }
    // Input derivations are replaced by their own hashes modulo fixed outputs.
    let mut masked: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, outs) in &drv.input_drvs {
        let known = request::lookup_derivation(co, path.clone()).await;
        let key = match known {
            Some(k) => store::hex(&k.hash_modulo),
            None => path.clone(),
        };
        masked.entry(key).or_default().extend(outs.iter().cloned());
    }
    let hash = store::sha256(drv.aterm(&masked).as_bytes());
    for o in outputs {
        let out_name = if o == "out" {
            name.to_string()
        } else {
            format!("{name}-{o}")
        };
        let path = store::make_store_path(store_dir, &format!("output:{o}"), &hash, &out_name);
        drv.env.insert(o.clone(), path.clone());
        drv.outputs
            .insert(o.clone(), (path, String::new(), String::new()));
    }
    // Dependents see this derivation through the hash of its complete text (outputs filled
    // in), with its own inputs again replaced by their hashes.
    Ok(store::sha256(drv.aterm(&masked).as_bytes()))
}

fn placeholder(output: &Value) -> Result<Value, Error> {
    let output = string_of(output)?;
    Ok(Value::string(store::placeholder(&output.to_str_lossy())))
}

async fn to_file(co: Co, name: Value, contents: Value) -> Result<Value, Error> {
    let name = string_of(&name)?.to_str_lossy().into_owned();
    let contents = force_string(&co, contents).await?;
    if let Some(c) = store::valid_name(&name) {
        return Err(Error::new(format!(
            "invalid store path name '{name}': contains illegal character '{c}'"
        )));
    }
    let refs: BTreeSet<String> = contents.context().into_iter().flatten().cloned().collect();
    if let Some(r) = refs
        .iter()
        .find(|r| r.starts_with('!') || r.starts_with('='))
    {
        return Err(Error::new(format!(
            "in 'toFile': the file named '{name}' must not contain a reference to a derivation but contains ({r})"
        )));
    }
    let path = store::make_text_path(
        &request::store_dir(&co).await,
        &name,
        contents.as_bytes(),
        &refs,
    );
    request::add_text(&co, path.clone(), contents).await;
    let ctx: NixContext = [path.clone()].into();
    Ok(Value::String(NixString::new(path.as_bytes(), Some(ctx))))
}

#[cfg(test)]
mod tests {
    #[test]
    fn aterm_strings_escape_quotes_backslashes_and_control_characters() {
        let mut out = String::new();
        super::quote(&mut out, "a\"b\\c\nd\re\tf é ${x}");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\re\\tf é ${x}\"");
        out.clear();
        super::quote(&mut out, "");
        assert_eq!(out, "\"\"");
    }
}
