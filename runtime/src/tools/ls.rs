//! `LS`: a directory tree (honouring .gitignore), for getting to know a project.

use std::path::Path;

use globset::{Glob, GlobSetBuilder};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::glob::{cancelled, walker};
use super::{ToolError, args, path};

/// Entries listed at most; a tree larger than this is better explored with Glob.
const MAX_ENTRIES: usize = 1_000;
/// Indentation per tree level.
const INDENT: &str = "  ";

/// What the model is told about `LS`.
pub const DESCRIPTION: &str = "Lists the files and directories under `path` as an indented tree \
(directories end with `/`), skipping what .gitignore ignores and the .git directory. `ignore` takes \
extra glob patterns to leave out (matched against names and relative paths, e.g. \"node_modules\", \
\"*.log\"). At most 1000 entries; prefer Glob and Grep when you know what you are looking for.";

/// JSON Schema of `LS`'s arguments.
pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "path": { "type": "string", "description": "Absolute path of the directory to list" },
            "ignore": { "type": "array", "items": { "type": "string" }, "description": "Glob patterns of entries to leave out" }
        },
        "required": ["path"],
        "additionalProperties": false
    })
}

/// Runs an `LS` call.
pub(crate) fn run(input: &Value, cwd: &Path, cancel: &CancellationToken) -> Result<String, ToolError> {
    let dir = path::resolve(cwd, args::req_str(input, "path")?);
    let mut ignore = GlobSetBuilder::new();
    for pattern in args::opt_str_list(input, "ignore")? {
        ignore.add(Glob::new(&pattern).map_err(|e| ToolError::bad_arg("ignore", e.to_string()))?);
    }
    let ignore = ignore.build().map_err(|e| ToolError::bad_arg("ignore", e.to_string()))?;
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(ToolError::bad_arg("path", format!("{} is a file, not a directory; use Read", dir.display())));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ToolError::bad_arg("path", format!("{} does not exist", dir.display())));
        }
        Err(e) => return Err(ToolError::io(&dir, e)),
    }

    let root = dir.clone();
    let mut walk = walker(&dir);
    walk.sort_by_file_name(|a, b| a.cmp(b)).filter_entry(move |entry| {
        let relative = entry.path().strip_prefix(&root).unwrap_or(entry.path());
        entry.depth() == 0
            || (entry.file_name() != ".git" && !ignore.is_match(entry.file_name()) && !ignore.is_match(relative))
    });
    let mut lines = vec![format!("- {}/", dir.display())];
    let mut listed = 0usize;
    let mut capped = false;
    for entry in walk.build().flatten() {
        if cancel.is_cancelled() {
            return Err(cancelled("LS"));
        }
        if entry.depth() == 0 {
            continue;
        }
        if listed == MAX_ENTRIES {
            capped = true;
            break;
        }
        listed += 1;
        let slash = if entry.file_type().is_some_and(|t| t.is_dir()) { "/" } else { "" };
        let name = entry.file_name().to_string_lossy();
        lines.push(format!("{}- {name}{slash}", INDENT.repeat(entry.depth())));
    }
    if listed == 0 {
        lines.push(format!("{INDENT}(empty)"));
    }
    if capped {
        lines.push(format!("[Listing stopped at {MAX_ENTRIES} entries; use a deeper path, `ignore`, or Glob]"));
    }
    Ok(lines.join("\n"))
}
