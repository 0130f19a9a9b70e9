//! Nix values read into a host's own types through serde, `from_nix::<T>(&mut evaluator, &v)`,
//! and a host's values made into Nix values, `to_nix(&t)`.
//! The deserializer forces a value only when `T` reads it, so a struct that names three
//! attributes of a large set evaluates those three and nothing else (attributes `T` does not
//! know are skipped unevaluated).

use crate::errors::{Error, Span, TraceLine};
use crate::eval::Evaluator;
use crate::value::{Attrs, NixList, Value};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::ser;
use std::rc::Rc;

/// Reads `v` as a `T`, forcing only what `T` reads. An error says where in the value it
/// happened (`while reading 'services.web.port'`) and, when the value's shape was wrong, points
/// at the Nix source that defined the innermost attribute on the way (`port = "80";`).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Server {
///     host: String,
///     port: u16,
/// }
///
/// let mut ev = gnix::Evaluator::new(gnix::Settings::default());
/// let v = ev.eval_expr(
///     r#"{ host = "example.org"; port = 80 + 1; unused = throw "never read"; }"#,
///     std::path::Path::new("."),
/// )?;
/// let server: Server = gnix::convert::from_nix(&mut ev, &v)?;
/// assert_eq!((server.host.as_str(), server.port), ("example.org", 81));
///
/// let v = ev.eval_expr(r#"{ host = "a"; port = "80"; }"#, std::path::Path::new("."))?;
/// let e = gnix::convert::from_nix::<Server>(&mut ev, &v).err().expect("a string port");
/// assert!(e.render(false).contains("while reading 'port'"));
/// # Ok::<(), gnix::Error>(())
/// ```
pub fn from_nix<T: DeserializeOwned>(ev: &mut Evaluator, v: &Value) -> Result<T, Error> {
    let read = T::deserialize(Deserializer {
        ev: &mut *ev,
        value: v.clone(),
    });
    read.map_err(|e| {
        let mut error = e.error;
        if !e.path.is_empty() {
            let path: String = e.path.iter().rev().map(String::as_str).collect();
            let path = path.strip_prefix('.').unwrap_or(&path);
            let line = TraceLine::new(e.span, format!("while reading '{path}'"));
            error.trace.push(line);
        }
        error.locate(&ev.state.sources);
        error
    })
}

/// A deserialization error: an evaluation error, or a value of the wrong shape for `T`; with
/// the path to where it happened, innermost segment first (`.port`, `[2]`), and the position of
/// the innermost attribute on it whose definition is known.
#[derive(Debug)]
pub struct DeError {
    error: Error,
    path: Vec<String>,
    span: Option<Span>,
}

impl DeError {
    /// The error as it leaves the attribute or element `segment`, defined at `span`.
    fn within(mut self, segment: String, span: Option<Span>) -> DeError {
        self.path.push(segment);
        if self.span.is_none() {
            self.span = span;
            // A value of the wrong shape has no position of its own: it gets its attribute's.
            if self.error.span.is_none()
                && let Some(span) = span
            {
                self.error = self.error.at(span);
            }
        }
        self
    }
}

impl std::fmt::Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<M: std::fmt::Display>(msg: M) -> DeError {
        DeError::from(Error::new(msg.to_string()))
    }
}

impl From<Error> for DeError {
    fn from(error: Error) -> DeError {
        DeError {
            error,
            path: Vec::new(),
            span: None,
        }
    }
}

/// One value, with the evaluator that forces it.
struct Deserializer<'e> {
    ev: &'e mut Evaluator,
    value: Value,
}

impl<'de> de::Deserializer<'de> for Deserializer<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.ev.force(self.value)? {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b.get()),
            Value::Int(i) => visitor.visit_i64(i),
            Value::Float(f) => visitor.visit_f64(f.get()),
            Value::String(s) => visitor.visit_string(s.to_str_lossy().into_owned()),
            Value::Path(p) => visitor.visit_string(p.display().to_string()),
            Value::List(items) => visitor.visit_seq(Seq {
                ev: self.ev,
                items,
                next: 0,
            }),
            Value::Attrs(attrs) => visitor.visit_map(Map {
                ev: self.ev,
                attrs,
                next: 0,
            }),
            other => Err(de::Error::custom(format!(
                "cannot read {} as data",
                crate::vm::ops::describe_value(&other)
            ))),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.ev.force(self.value)? {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Deserializer { ev: self.ev, value }),
        }
    }

    /// A variant is a string (`"fast"`) or a set of one attribute (`{ tcp = 80; }`).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.ev.force(self.value)? {
            Value::String(s) => visitor.visit_enum(text(s.to_str_lossy().into_owned())),
            Value::Attrs(attrs) if attrs.len() == 1 => {
                visitor.visit_enum(Variant { ev: self.ev, attrs })
            }
            other => Err(de::Error::custom(format!(
                "expected a string or a set of one attribute for an enum, but found {}",
                crate::vm::ops::describe_value(&other)
            ))),
        }
    }

    /// What `T` does not read is not evaluated.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// A name or tag as serde reads it.
fn text(s: String) -> de::value::StringDeserializer<DeError> {
    s.into_deserializer()
}

/// A list's elements, each forced when read.
struct Seq<'e> {
    ev: &'e mut Evaluator,
    items: Rc<NixList>,
    next: usize,
}

impl<'de> de::SeqAccess<'de> for Seq<'_> {
    type Error = DeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(value) = self.items.get(self.next).cloned() else {
            return Ok(None);
        };
        let at = self.next;
        self.next += 1;
        seed.deserialize(Deserializer { ev: self.ev, value })
            .map(Some)
            .map_err(|e| e.within(format!("[{at}]"), None))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

/// A set's attributes in Nix's order, each value forced when read.
struct Map<'e> {
    ev: &'e mut Evaluator,
    attrs: Rc<Attrs>,
    next: usize,
}

impl<'de> de::MapAccess<'de> for Map<'_> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((name, _)) = self.attrs.entry(self.next) else {
            return Ok(None);
        };
        seed.deserialize(text(name.to_str_lossy().into_owned()))
            .map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let (name, value) = match self.attrs.entry(self.next) {
            Some((name, v)) => (name, v.clone()),
            None => unreachable!("a set's value asked for past its last name"),
        };
        self.next += 1;
        seed.deserialize(Deserializer { ev: self.ev, value })
            .map_err(|e| {
                e.within(
                    format!(".{}", name.to_str_lossy()),
                    self.attrs.position(name),
                )
            })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.attrs.len() - self.next)
    }
}

/// The one attribute of a set read as an enum variant.
struct Variant<'e> {
    ev: &'e mut Evaluator,
    attrs: Rc<Attrs>,
}

impl<'de, 'e> de::EnumAccess<'de> for Variant<'e> {
    type Error = DeError;
    type Variant = Deserializer<'e>;

    fn variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Deserializer<'e>), DeError> {
        let (name, value) = match self.attrs.entry(0) {
            Some((k, v)) => (k.to_str_lossy().into_owned(), v.clone()),
            None => unreachable!("an enum's set has one attribute"),
        };
        let tag = seed.deserialize(text(name))?;
        Ok((tag, Deserializer { ev: self.ev, value }))
    }
}

impl<'de> de::VariantAccess<'de> for Deserializer<'_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

/// A Rust value as a Nix value (serde): structs and maps become sets, sequences and tuples
/// lists, `None` and `()` null, a unit variant its name, any other variant a set of one
/// attribute named after it (the shape `from_nix` reads back).
///
/// ```
/// use std::collections::BTreeMap;
/// let mut ev = gnix::Evaluator::new(gnix::Settings::default());
/// let limits = BTreeMap::from([("cpu", 2), ("memory", 512)]);
/// let arg = gnix::convert::to_nix(&limits)?;
/// let f = ev.eval_expr("l: l.cpu * l.memory", std::path::Path::new("."))?;
/// let v = ev.call(f, vec![arg])?;
/// assert_eq!(ev.as_int(&v)?, 1024);
/// # Ok::<(), gnix::Error>(())
/// ```
pub fn to_nix<T: serde::Serialize + ?Sized>(t: &T) -> Result<Value, Error> {
    t.serialize(Serializer).map_err(|e| e.error)
}

/// Makes Nix values (`to_nix`).
struct Serializer;

/// A set of one attribute, `{ name = value; }`.
fn tagged(name: &str, value: Value) -> Value {
    Value::attrs(Attrs::from_sorted(vec![(name.into(), value)]))
}

impl ser::Serializer for Serializer {
    type Ok = Value;
    type Error = DeError;
    type SerializeSeq = ListBuilder;
    type SerializeTuple = ListBuilder;
    type SerializeTupleStruct = ListBuilder;
    type SerializeTupleVariant = ListBuilder;
    type SerializeMap = SetBuilder;
    type SerializeStruct = SetBuilder;
    type SerializeStructVariant = SetBuilder;

    fn serialize_bool(self, v: bool) -> Result<Value, DeError> {
        Ok(Value::bool(v))
    }

    fn serialize_i64(self, v: i64) -> Result<Value, DeError> {
        Ok(Value::Int(v))
    }

    fn serialize_i8(self, v: i8) -> Result<Value, DeError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<Value, DeError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<Value, DeError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<Value, DeError> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| de::Error::custom(format!("{v} is too large for a Nix integer")))
    }

    fn serialize_u8(self, v: u8) -> Result<Value, DeError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<Value, DeError> {
        self.serialize_i64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<Value, DeError> {
        self.serialize_i64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<Value, DeError> {
        Ok(Value::float(v))
    }

    fn serialize_f32(self, v: f32) -> Result<Value, DeError> {
        self.serialize_f64(v.into())
    }

    fn serialize_char(self, v: char) -> Result<Value, DeError> {
        Ok(Value::string(v.to_string()))
    }

    fn serialize_str(self, v: &str) -> Result<Value, DeError> {
        Ok(Value::string(v))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Value, DeError> {
        Ok(Value::string(v))
    }

    fn serialize_none(self) -> Result<Value, DeError> {
        Ok(Value::Null)
    }

    fn serialize_some<T: serde::Serialize + ?Sized>(self, v: &T) -> Result<Value, DeError> {
        v.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, DeError> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, DeError> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, DeError> {
        Ok(Value::string(variant))
    }

    fn serialize_newtype_struct<T: serde::Serialize + ?Sized>(
        self,
        _name: &'static str,
        v: &T,
    ) -> Result<Value, DeError> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: serde::Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Value, DeError> {
        Ok(tagged(variant, v.serialize(self)?))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<ListBuilder, DeError> {
        Ok(ListBuilder::new(None, len.unwrap_or(0)))
    }

    fn serialize_tuple(self, len: usize) -> Result<ListBuilder, DeError> {
        Ok(ListBuilder::new(None, len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<ListBuilder, DeError> {
        Ok(ListBuilder::new(None, len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<ListBuilder, DeError> {
        Ok(ListBuilder::new(Some(variant), len))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<SetBuilder, DeError> {
        Ok(SetBuilder::new(None))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<SetBuilder, DeError> {
        Ok(SetBuilder::new(None))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<SetBuilder, DeError> {
        Ok(SetBuilder::new(Some(variant)))
    }
}

/// A list being made, tagged with its variant's name for a tuple variant.
struct ListBuilder {
    variant: Option<&'static str>,
    items: Vec<Value>,
}

impl ListBuilder {
    fn new(variant: Option<&'static str>, len: usize) -> ListBuilder {
        ListBuilder {
            variant,
            items: Vec::with_capacity(len),
        }
    }

    fn push<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), DeError> {
        self.items.push(v.serialize(Serializer)?);
        Ok(())
    }

    fn finish(self) -> Result<Value, DeError> {
        let list = Value::list(self.items);
        Ok(match self.variant {
            Some(name) => tagged(name, list),
            None => list,
        })
    }
}

/// An element of a sequence, tuple or tuple variant: an element of the list.
macro_rules! list_impl {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for ListBuilder {
            type Ok = Value;
            type Error = DeError;

            fn $method<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), DeError> {
                self.push(v)
            }

            fn end(self) -> Result<Value, DeError> {
                self.finish()
            }
        }
    };
}

list_impl!(SerializeSeq, serialize_element);
list_impl!(SerializeTuple, serialize_element);
list_impl!(SerializeTupleStruct, serialize_field);
list_impl!(SerializeTupleVariant, serialize_field);

/// A set being made, tagged with its variant's name for a struct variant.
struct SetBuilder {
    variant: Option<&'static str>,
    entries: Vec<(crate::value::Symbol, Value)>,
    key: Option<String>,
}

impl SetBuilder {
    fn new(variant: Option<&'static str>) -> SetBuilder {
        SetBuilder {
            variant,
            entries: Vec::new(),
            key: None,
        }
    }

    fn insert<T: serde::Serialize + ?Sized>(&mut self, name: &str, v: &T) -> Result<(), DeError> {
        self.entries.push((name.into(), v.serialize(Serializer)?));
        Ok(())
    }

    fn finish(mut self) -> Result<Value, DeError> {
        self.entries.sort_by_key(|(k, _)| *k);
        if let Some(w) = self.entries.windows(2).find(|w| w[0].0 == w[1].0) {
            let name = w[0].0;
            return Err(de::Error::custom(format!("attribute '{name}' given twice")));
        }
        let set = Value::attrs(Attrs::from_sorted(self.entries));
        Ok(match self.variant {
            Some(name) => tagged(name, set),
            None => set,
        })
    }
}

impl ser::SerializeMap for SetBuilder {
    type Ok = Value;
    type Error = DeError;

    fn serialize_key<T: serde::Serialize + ?Sized>(&mut self, key: &T) -> Result<(), DeError> {
        match key.serialize(Serializer)? {
            Value::String(s) => {
                self.key = Some(s.to_str_lossy().into_owned());
                Ok(())
            }
            other => Err(de::Error::custom(format!(
                "a set's attribute names are strings, not {}",
                other.type_name()
            ))),
        }
    }

    fn serialize_value<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), DeError> {
        let Some(name) = self.key.take() else {
            return Err(de::Error::custom("a map value without its key"));
        };
        self.insert(&name, v)
    }

    fn end(self) -> Result<Value, DeError> {
        self.finish()
    }
}

/// A struct (or struct variant) field: an attribute.
macro_rules! struct_impl {
    ($trait:ident) => {
        impl ser::$trait for SetBuilder {
            type Ok = Value;
            type Error = DeError;

            fn serialize_field<T: serde::Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                v: &T,
            ) -> Result<(), DeError> {
                self.insert(name, v)
            }

            fn end(self) -> Result<Value, DeError> {
                self.finish()
            }
        }
    };
}

struct_impl!(SerializeStruct);
struct_impl!(SerializeStructVariant);

impl ser::Error for DeError {
    fn custom<M: std::fmt::Display>(msg: M) -> DeError {
        DeError::from(Error::new(msg.to_string()))
    }
}
