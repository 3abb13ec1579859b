//! `Write`: creates or replaces a whole file, atomically, creating parent directories.

use std::path::Path;

use serde_json::{Value, json};

use super::{ToolError, args, fs_atomic, path};

/// What the model is told about `Write`.
pub const DESCRIPTION: &str = "Writes `content` to `file_path`, replacing the file if it exists and \
creating it (and missing parent directories) otherwise. The replacement is atomic: the file never \
holds half of the content. Prefer Edit for changing part of an existing file; read a file before \
overwriting it.";

/// JSON Schema of `Write`'s arguments.
pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "file_path": { "type": "string", "description": "Absolute path of the file to write" },
            "content": { "type": "string", "description": "The complete new content of the file" }
        },
        "required": ["file_path", "content"],
        "additionalProperties": false
    })
}

/// Runs a `Write` call.
pub(crate) fn run(input: &Value, cwd: &Path) -> Result<String, ToolError> {
    let raw = args::req_str(input, "file_path")?;
    let content = args::req_str(input, "content")?;
    let file_path = path::resolve(cwd, raw);
    let existed = file_path.exists();
    if let Some(parent) = file_path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| ToolError::io(parent, e))?;
    }
    fs_atomic::write_atomic(&file_path, content.as_bytes())?;
    let lines = content.lines().count();
    let verb = if existed { "Overwrote" } else { "Created" };
    Ok(format!("{verb} {} ({lines} lines, {} bytes)", file_path.display(), content.len()))
}
