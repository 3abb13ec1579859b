//! Typed access to a tool call's JSON arguments, with errors that name the argument.

use serde_json::Value;

use super::ToolError;

/// The arguments object; anything else is refused up front.
pub(crate) fn object(input: &Value) -> Result<&serde_json::Map<String, Value>, ToolError> {
    input.as_object().ok_or_else(|| ToolError::bad_arg("input", "expected a JSON object of arguments"))
}

/// A required string argument.
pub(crate) fn req_str<'a>(input: &'a Value, name: &'static str) -> Result<&'a str, ToolError> {
    match object(input)?.get(name) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(ToolError::bad_arg(name, "is required")),
        Some(other) => Err(ToolError::bad_arg(name, format!("expected a string, got {}", kind(other)))),
    }
}

/// An optional string argument (`null` counts as absent).
pub(crate) fn opt_str<'a>(input: &'a Value, name: &'static str) -> Result<Option<&'a str>, ToolError> {
    match object(input)?.get(name) {
        Some(Value::String(s)) => Ok(Some(s)),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(ToolError::bad_arg(name, format!("expected a string, got {}", kind(other)))),
    }
}

/// An optional boolean argument.
pub(crate) fn opt_bool(input: &Value, name: &'static str) -> Result<Option<bool>, ToolError> {
    match object(input)?.get(name) {
        Some(Value::Bool(b)) => Ok(Some(*b)),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(ToolError::bad_arg(name, format!("expected true or false, got {}", kind(other)))),
    }
}

/// An optional non-negative integer argument; models send `5.0` too, so whole floats pass.
pub(crate) fn opt_u64(input: &Value, name: &'static str) -> Result<Option<u64>, ToolError> {
    match object(input)?.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            if let Some(v) = n.as_u64() {
                return Ok(Some(v));
            }
            match n.as_f64() {
                Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64 => Ok(Some(f as u64)),
                _ => Err(ToolError::bad_arg(name, format!("expected a non-negative whole number, got {n}"))),
            }
        }
        Some(other) => Err(ToolError::bad_arg(name, format!("expected a number, got {}", kind(other)))),
    }
}

/// An optional list of strings.
pub(crate) fn opt_str_list(input: &Value, name: &'static str) -> Result<Vec<String>, ToolError> {
    match object(input)?.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(ToolError::bad_arg(name, format!("expected strings only, got {}", kind(other)))),
            })
            .collect(),
        Some(other) => Err(ToolError::bad_arg(name, format!("expected a list of strings, got {}", kind(other)))),
    }
}

/// The JSON type name, for error messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
