//! `builtins.toXML` and the CLI's `--xml`: C++ Nix's XML rendering of values (value-to-xml.cc
//! with its XMLWriter), byte for byte.
//!
//! The walk keeps an explicit stack of values still to print and elements still to close, so
//! nesting costs heap, not native stack; each level is declared to the scheduler as a call
//! level, as C++ Nix's `addCallDepth` does.

use crate::errors::Error;
use crate::print::format_float_g;
use crate::value::{Attrs, Closure, NixContext, NixString, Symbol, Value, sym};
use crate::vm::request::{self, Co, force};
use std::collections::HashSet;

crate::declare_builtins! {
    /// The XML document of a value, evaluated deeply, in the format of
    /// `nix-instantiate --eval --xml`; strings keep their context.
    ///
    /// ```nix
    /// builtins.toXML { a = 1; }
    /// => "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <attrs>\n    <attr name=\"a\">\n      <int value=\"1\" />\n    </attr>\n  </attrs>\n</expr>\n"
    /// ```
    "toXML" => async fn to_xml_builtin(value: Lazy);
}

async fn to_xml_builtin(co: Co, value: Value) -> Result<Value, Error> {
    let (text, context) = to_xml_bytes(&co, value, true, false).await?;
    Ok(Value::String(NixString::new(text, context)))
}

/// The XML document of a value, forcing it all (`nix-instantiate --eval --strict --xml`);
/// `locations` adds `line`/`column`/`path` attributes to functions. Its bytes, as C++ Nix
/// writes them (a string's bytes that are not UTF-8 included).
pub async fn to_xml(co: &Co, v: Value, locations: bool) -> Result<Vec<u8>, Error> {
    Ok(to_xml_bytes(co, v, true, locations).await?.0)
}

/// The XML document of a value and the string context of every string in it. Without
/// `strict`, values not yet evaluated print as `<unevaluated />` (plain `--xml`).
pub async fn to_xml_bytes(
    co: &Co,
    v: Value,
    strict: bool,
    locations: bool,
) -> Result<(Vec<u8>, Option<NixContext>), Error> {
    let mut w = Writer {
        out: b"<?xml version='1.0' encoding='utf-8'?>\n<expr>\n".to_vec(),
        context: None,
        drvs_seen: HashSet::new(),
        strict,
        locations,
    };
    let mut stack = vec![Item::Value(v, 1, 1)];
    let mut declared = 0;
    while let Some(item) = stack.pop() {
        match item {
            Item::Close(name, indent) => w.close(name, indent),
            Item::Attr(name, v, indent, depth) => {
                w.open("attr", &[("name", name.as_bytes())], indent);
                stack.push(Item::Close("attr", indent));
                stack.push(Item::Value(v, indent + 1, depth));
            }
            Item::Value(v, indent, depth) => {
                if depth > declared || depth + 64 < declared {
                    declared = depth;
                    request::depth(co, depth).await;
                }
                w.value(co, v, indent, depth, &mut stack).await;
            }
        }
    }
    w.out.extend_from_slice(b"</expr>\n");
    Ok((w.out, w.context))
}

/// Work still to do, innermost last. Values carry their indentation and their call depth.
enum Item {
    Value(Value, usize, u32),
    /// An attribute of a set: `<attr name="...">`, its value, `</attr>`.
    Attr(Symbol, Value, usize, u32),
    Close(&'static str, usize),
}

struct Writer {
    out: Vec<u8>,
    context: Option<NixContext>,
    drvs_seen: HashSet<Vec<u8>>,
    strict: bool,
    locations: bool,
}

impl Writer {
    fn indent(&mut self, indent: usize) {
        self.out.extend(std::iter::repeat_n(b' ', indent * 2));
    }

    fn attrs(&mut self, attrs: &[(&str, &[u8])]) {
        for (name, value) in attrs {
            self.out.push(b' ');
            self.out.extend_from_slice(name.as_bytes());
            self.out.extend_from_slice(b"=\"");
            escape_into(&mut self.out, value);
            self.out.push(b'"');
        }
    }

    /// `<name attrs />`; `attrs` sorted by name, as C++ Nix's `std::map` keeps them.
    fn empty(&mut self, name: &str, attrs: &[(&str, &[u8])], indent: usize) {
        self.indent(indent);
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self.attrs(attrs);
        self.out.extend_from_slice(b" />\n");
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &[u8])], indent: usize) {
        self.indent(indent);
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self.attrs(attrs);
        self.out.extend_from_slice(b">\n");
    }

    fn close(&mut self, name: &str, indent: usize) {
        self.indent(indent);
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b">\n");
    }

    /// Prints a scalar, or opens a container and schedules its contents.
    async fn value(&mut self, co: &Co, v: Value, indent: usize, depth: u32, stack: &mut Vec<Item>) {
        let v = if self.strict {
            force(co, v).await
        } else {
            match v.whnf() {
                Some(v) => v,
                None => return self.empty("unevaluated", &[], indent),
            }
        };
        match &v {
            Value::Int(i) => self.empty("int", &[("value", i.to_string().as_bytes())], indent),
            Value::Bool(b) => {
                let text: &[u8] = if b.get() { b"true" } else { b"false" };
                self.empty("bool", &[("value", text)], indent)
            }
            Value::String(s) => {
                if let Some(c) = s.context() {
                    let ctx = self.context.get_or_insert_with(Default::default);
                    ctx.extend(c.iter().cloned());
                }
                self.empty("string", &[("value", s.as_bytes())], indent)
            }
            Value::Path(p) => {
                let p = p.as_os_str().as_encoded_bytes();
                self.empty("path", &[("value", p)], indent)
            }
            Value::Null => self.empty("null", &[], indent),
            Value::Float(x) => {
                let text = format_float_g(x.get());
                self.empty("float", &[("value", text.as_bytes())], indent)
            }
            Value::Attrs(a) => self.attrs_value(co, a, indent, depth, stack).await,
            Value::List(l) => {
                self.open("list", &[], indent);
                stack.push(Item::Close("list", indent));
                for x in l.iter().rev() {
                    stack.push(Item::Value(x.clone(), indent + 1, depth + 1));
                }
            }
            Value::Closure(c) => self.function(c, indent),
            Value::Builtin(_) | Value::Thunk(_) => self.empty("unevaluated", &[], indent),
        }
    }

    async fn attrs_value(
        &mut self,
        co: &Co,
        a: &Attrs,
        indent: usize,
        depth: u32,
        stack: &mut Vec<Item>,
    ) {
        if !self.is_derivation(co, a).await {
            self.open("attrs", &[], indent);
            stack.push(Item::Close("attrs", indent));
            push_attrs(a, indent, depth, stack);
            return;
        }
        let drv_path = self.string_attr(co, a, b"drvPath").await;
        let out_path = self.string_attr(co, a, b"outPath").await;
        let mut xml_attrs: Vec<(&str, &[u8])> = Vec::new();
        if let Some(p) = &drv_path {
            xml_attrs.push(("drvPath", p.as_bytes()));
        }
        if let Some(p) = &out_path {
            xml_attrs.push(("outPath", p.as_bytes()));
        }
        self.open("derivation", &xml_attrs, indent);
        let drv_path = drv_path.map(|p| p.as_bytes().to_vec()).unwrap_or_default();
        if !drv_path.is_empty() && self.drvs_seen.insert(drv_path) {
            stack.push(Item::Close("derivation", indent));
            push_attrs(a, indent, depth, stack);
        } else {
            self.empty("repeated", &[], indent + 1);
            self.close("derivation", indent);
        }
    }

    /// C++ Nix's `isDerivation`: a `type` attribute that is the string `"derivation"`.
    async fn is_derivation(&self, co: &Co, a: &Attrs) -> bool {
        let Some(t) = a.get(sym!("type")) else {
            return false;
        };
        let t = force(co, t.clone()).await;
        matches!(&t, Value::String(s) if s.as_bytes() == b"derivation")
    }

    /// A derivation's `drvPath` or `outPath`, if it is a string (forced when strict).
    async fn string_attr(&self, co: &Co, a: &Attrs, name: &[u8]) -> Option<NixString> {
        let v = a.get_bytes(name)?.clone();
        let v = if self.strict {
            force(co, v).await
        } else {
            v.whnf()?
        };
        match v {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    fn function(&mut self, c: &Closure, indent: usize) {
        let position = if self.locations {
            position_attrs(&c.lambda.position)
        } else {
            Vec::new()
        };
        let position: Vec<(&str, &[u8])> =
            position.iter().map(|(k, v)| (*k, v.as_bytes())).collect();
        self.open("function", &position, indent);
        let arg = arg_name(c);
        match &c.lambda.formals {
            Some(formals) => {
                let mut attrs: Vec<(&str, &[u8])> = Vec::new();
                if formals.ellipsis {
                    attrs.push(("ellipsis", b"1"));
                }
                if let Some(name) = &arg {
                    attrs.push(("name", name.as_bytes()));
                }
                self.open("attrspat", &attrs, indent + 1);
                let mut names: Vec<Symbol> = formals.entries.iter().map(|(n, _)| *n).collect();
                names.sort();
                for n in names {
                    self.empty("attr", &[("name", n.as_bytes())], indent + 2);
                }
                self.close("attrspat", indent + 1);
            }
            None => {
                let name = arg.unwrap_or_default();
                self.empty("varpat", &[("name", name.as_bytes())], indent + 1);
            }
        }
        self.close("function", indent);
    }
}

/// Schedules a set's attributes, in name order.
fn push_attrs(a: &Attrs, indent: usize, depth: u32, stack: &mut Vec<Item>) {
    for (name, v) in a.iter().rev() {
        stack.push(Item::Attr(name, v.clone(), indent + 1, depth + 1));
    }
}

/// The name a lambda binds its argument to: `x` in `x: ...`, `args` in `args@{ ... }: ...`.
///
/// Lambdas do not record it yet (`Lambda` would need an `arg: Option<SmolStr>` field set by the
/// compiler), so this is `None` for now: `<varpat name="" />`, `<attrspat>` without `name`.
fn arg_name(c: &Closure) -> Option<String> {
    c.lambda.arg.as_ref().map(|s| s.to_string())
}

/// `column`, `line` and (for a file) `path` of a lambda, from its `file:line:column`.
fn position_attrs(position: &str) -> Vec<(&'static str, String)> {
    let mut parts = position.rsplitn(3, ':');
    let (Some(column), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
        return Vec::new();
    };
    let mut attrs = vec![("column", column.to_string()), ("line", line.to_string())];
    if !file.starts_with('«') {
        attrs.push(("path", file.to_string()));
    }
    attrs
}

/// XMLWriter's attribute escaping: `"`, `<`, `>`, `&` and newlines.
fn escape_into(out: &mut Vec<u8>, s: &[u8]) {
    for &c in s {
        match c {
            b'"' => out.extend_from_slice(b"&quot;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'\n' => out.extend_from_slice(b"&#xA;"),
            c => out.push(c),
        }
    }
}
