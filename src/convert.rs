//! Nix values read into a host's own types through serde: `from_nix::<T>(&mut evaluator, &v)`.
//! The deserializer forces a value only when `T` reads it, so a struct that names three
//! attributes of a large set evaluates those three and nothing else (attributes `T` does not
//! know are skipped unevaluated).

use crate::errors::Error;
use crate::eval::Evaluator;
use crate::value::{Attrs, NixList, Value};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use std::rc::Rc;

/// Reads `v` as a `T`, forcing only what `T` reads.
pub fn from_nix<T: DeserializeOwned>(ev: &mut Evaluator, v: &Value) -> Result<T, Error> {
    T::deserialize(Deserializer {
        ev,
        value: v.clone(),
    })
    .map_err(|e| e.0)
}

/// A deserialization error: an evaluation error, or a value of the wrong shape for `T`.
#[derive(Debug)]
pub struct DeError(Error);

impl std::fmt::Display for DeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<M: std::fmt::Display>(msg: M) -> DeError {
        DeError(Error::new(msg.to_string()))
    }
}

impl From<Error> for DeError {
    fn from(e: Error) -> DeError {
        DeError(e)
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
        self.next += 1;
        seed.deserialize(Deserializer { ev: self.ev, value })
            .map(Some)
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
        let value = match self.attrs.entry(self.next) {
            Some((_, v)) => v.clone(),
            None => unreachable!("a set's value asked for past its last name"),
        };
        self.next += 1;
        seed.deserialize(Deserializer { ev: self.ev, value })
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
