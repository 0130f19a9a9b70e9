//! The request protocol (`value::request`) as the VM and builtins use it, with the checks that
//! need the VM's error messages.

pub use crate::value::request::*;

use super::ops::type_error;
use crate::errors::Error;
use crate::value::Value;

impl Expect {
    /// The type error for `v`, if it is not what is expected.
    pub(crate) fn check(self, v: &Value) -> Result<(), Error> {
        match (self, v) {
            (Expect::Bool, Value::Bool(_)) | (Expect::List, Value::List(_)) => Ok(()),
            (Expect::Bool, other) => Err(type_error("a Boolean", other)),
            (Expect::List, other) => Err(type_error("a list", other)),
        }
    }
}
