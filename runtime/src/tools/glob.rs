//! `Glob`: finds files by glob pattern under a directory, honouring .gitignore,
//! newest first (recently touched files are usually the relevant ones).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use globset::GlobBuilder;
use ignore::WalkBuilder;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::{ToolError, args, path};

/// Paths returned at most; more would flood the context without helping.
const MAX_RESULTS: usize = 100;
/// Entries walked between checks of the cancel token.
const CANCEL_CHECK_EVERY: usize = 256;

/// What the model is told about `Glob`.
pub const DESCRIPTION: &str = "Finds files whose path (relative to `path`, default the working \
directory) matches a glob pattern such as `**/*.rs` or `src/**/*.{ts,tsx}`. `*` stays within one \
directory level, `**` crosses levels. Files ignored by .gitignore and the .git directory are skipped. \
Returns absolute paths, most recently modified first, at most 100.";

/// JSON Schema of `Glob`'s arguments.
pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "pattern": { "type": "string", "description": "Glob pattern to match file paths against, e.g. \"**/*.js\"" },
            "path": { "type": "string", "description": "Directory to search in (default: the working directory)" }
        },
        "required": ["pattern"],
        "additionalProperties": false
    })
}

/// The walker every search tool uses: .gitignore honoured even outside a git repo,
/// dotfiles included, `.git` itself skipped.
pub(crate) fn walker(base: &Path) -> WalkBuilder {
    let mut builder = WalkBuilder::new(base);
    builder.require_git(false).hidden(false).filter_entry(|entry| entry.file_name() != ".git");
    builder
}

/// The `path` argument resolved (default cwd), which must exist.
pub(crate) fn search_base(input: &Value, cwd: &Path) -> Result<PathBuf, ToolError> {
    let base = match args::opt_str(input, "path")? {
        Some(raw) => path::resolve(cwd, raw),
        None => cwd.to_path_buf(),
    };
    if !base.exists() {
        return Err(ToolError::bad_arg("path", format!("{} does not exist", base.display())));
    }
    Ok(base)
}

/// The error for a search stopped by the cancel token.
pub(crate) fn cancelled(tool: &str) -> ToolError {
    ToolError::Failed(format!("{tool} was cancelled"))
}

/// Runs a `Glob` call.
pub(crate) fn run(input: &Value, cwd: &Path, cancel: &CancellationToken) -> Result<String, ToolError> {
    let pattern = args::req_str(input, "pattern")?;
    let base = search_base(input, cwd)?;
    if !base.is_dir() {
        return Err(ToolError::bad_arg("path", format!("{} is not a directory", base.display())));
    }
    // An absolute pattern under the base is made relative to it; any other is matched whole.
    let base_prefix = format!("{}/", base.display());
    let (relative, pattern) = match pattern.strip_prefix(&base_prefix) {
        Some(rest) => (true, rest),
        None => (!Path::new(pattern).is_absolute(), pattern),
    };
    let matcher = GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| ToolError::bad_arg("pattern", e.to_string()))?
        .compile_matcher();

    let mut found: Vec<(SystemTime, PathBuf)> = Vec::new();
    for (seen, entry) in walker(&base).build().flatten().enumerate() {
        if seen % CANCEL_CHECK_EVERY == 0 && cancel.is_cancelled() {
            return Err(cancelled("Glob"));
        }
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let candidate = if relative { entry.path().strip_prefix(&base).unwrap_or(entry.path()) } else { entry.path() };
        if matcher.is_match(candidate) {
            let modified = entry.metadata().ok().and_then(|m| m.modified().ok()).unwrap_or(SystemTime::UNIX_EPOCH);
            found.push((modified, entry.into_path()));
        }
    }
    if found.is_empty() {
        return Ok("No files found".to_owned());
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let total = found.len();
    let mut out: Vec<String> = found.iter().take(MAX_RESULTS).map(|(_, p)| p.display().to_string()).collect();
    if total > MAX_RESULTS {
        out.push(format!(
            "[Showing the {MAX_RESULTS} most recently modified of {total} matches; narrow the pattern or path to see others]"
        ));
    }
    Ok(out.join("\n"))
}
