//! `Edit`: replaces exact text in a file, refusing ambiguous edits, written atomically.

use std::path::Path;

use serde_json::{Value, json};

use super::{ToolError, args, fs_atomic, path};

/// What the model is told about `Edit`.
pub const DESCRIPTION: &str = "Replaces `old_string` with `new_string` in the file at `file_path`. \
`old_string` must match the file exactly (whitespace and indentation included) and, unless \
`replace_all` is true, exactly once: include enough surrounding lines to make it unique. Use \
`replace_all` to rename something throughout the file. Read the file first. To create a file, use Write.";

/// JSON Schema of `Edit`'s arguments.
pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "file_path": { "type": "string", "description": "Absolute path of the file to change" },
            "old_string": { "type": "string", "description": "The exact text to replace" },
            "new_string": { "type": "string", "description": "The text to put in its place (must differ from old_string)" },
            "replace_all": { "type": "boolean", "default": false, "description": "Replace every occurrence instead of exactly one (default false)" }
        },
        "required": ["file_path", "old_string", "new_string"],
        "additionalProperties": false
    })
}

/// Runs an `Edit` call.
pub(crate) fn run(input: &Value, cwd: &Path) -> Result<String, ToolError> {
    let raw = args::req_str(input, "file_path")?;
    let old_string = args::req_str(input, "old_string")?;
    let new_string = args::req_str(input, "new_string")?;
    let replace_all = args::opt_bool(input, "replace_all")?.unwrap_or(false);
    let file_path = path::resolve(cwd, raw);
    let content = read_text(&file_path)?;
    let (updated, count) = apply(&content, old_string, new_string, replace_all)?;
    fs_atomic::write_atomic(&file_path, updated.as_bytes())?;
    let plural = if count == 1 { "" } else { "s" };
    Ok(format!("Replaced {count} occurrence{plural} in {}", file_path.display()))
}

/// The file as text, with messages the model can act on.
pub(crate) fn read_text(file_path: &Path) -> Result<String, ToolError> {
    match std::fs::read(file_path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            ToolError::Failed(format!("{} is not a UTF-8 text file; Edit cannot change it", file_path.display()))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(ToolError::Failed(format!("File does not exist: {}; use Write to create it", file_path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
            Err(ToolError::Failed(format!("{} is a directory, not a file", file_path.display())))
        }
        Err(e) => Err(ToolError::io(file_path, e)),
    }
}

/// The edited text and the number of replacements; shared with the diff preview so
/// the preview shows exactly what the edit will do.
pub(crate) fn apply(content: &str, old: &str, new: &str, replace_all: bool) -> Result<(String, usize), ToolError> {
    if old.is_empty() {
        return Err(ToolError::bad_arg("old_string", "must not be empty; use Write to create or replace a whole file"));
    }
    if old == new {
        return Err(ToolError::bad_arg("new_string", "is identical to old_string; there is nothing to change"));
    }
    let count = content.matches(old).count();
    match count {
        0 => Err(ToolError::Failed(
            "old_string was not found in the file; it must match exactly, including whitespace".into(),
        )),
        1 => Ok((content.replacen(old, new, 1), 1)),
        _ if replace_all => Ok((content.replace(old, new), count)),
        _ => Err(ToolError::Failed(format!(
            "old_string matches {count} times; add surrounding lines to make it unique, or set replace_all to change every occurrence"
        ))),
    }
}
