//! Serde helpers shared by the frame modules: tri-state fields, and decoding of nested
//! tagged unions that keeps the path of a bad field.
//!
//! Unions such as [`crate::stream::StreamDelta`] are decoded by hand (read the tag, then
//! decode the chosen type) so an unknown tag is kept raw. Decoding the chosen type is a
//! fresh deserialisation, so the path of a bad field inside it would be lost; instead it
//! is carried in the error message as ``at `path`: message`` and spliced back onto the
//! outer path by [`split_path`] when the frame error is built.

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Prefix of an error message that carries the path of a nested bad field.
const PATH_PREFIX: &str = "at `";
/// Separator between that path and the decoder's message.
const PATH_SUFFIX: &str = "`: ";

/// Deserialises a `field?: T | null` whose `null` means something other than omission
/// (use with `#[serde(default, deserialize_with = "crate::wire::nullable")]`): omitted is
/// `None`, `null` is `Some(None)`.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Decodes one member of a hand-decoded union, keeping the path of a bad field.
pub(crate) fn decode_nested<T: DeserializeOwned, E: Error>(value: Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let outer = err.path().to_string();
        let (path, message) = split_path(&outer, err.into_inner().to_string());
        E::custom(format!("{PATH_PREFIX}{path}{PATH_SUFFIX}{message}"))
    })
}

/// Reads the tag of a hand-decoded union: `Ok(None)` when absent or not a string.
pub(crate) fn tag_of<E: Error>(value: &Value, tag: &str, what: &str) -> Result<Option<String>, E> {
    match value {
        Value::Object(object) => Ok(object.get(tag).and_then(Value::as_str).map(str::to_owned)),
        _ => Err(E::custom(format!("{what} must be a JSON object"))),
    }
}

/// Splits a nested path out of `message` and joins it onto `outer` (the path at which
/// the error surfaced); returns `(full path, plain message)`.
pub(crate) fn split_path(outer: &str, message: String) -> (String, String) {
    if let Some(rest) = message.strip_prefix(PATH_PREFIX)
        && let Some((inner, plain)) = rest.split_once(PATH_SUFFIX)
    {
        return (join_path(outer, inner), plain.to_owned());
    }
    (outer.to_owned(), message)
}

/// Joins two paths in `serde_path_to_error`'s notation (`a.b[0].c`, `.` for the root).
fn join_path(outer: &str, inner: &str) -> String {
    if outer == "." {
        inner.to_owned()
    } else if inner == "." {
        outer.to_owned()
    } else if inner.starts_with('[') {
        format!("{outer}{inner}")
    } else {
        format!("{outer}.{inner}")
    }
}
