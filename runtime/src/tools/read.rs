//! `Read`: a text file with `cat -n` style line numbers, a window of lines at a time.

use std::fs::File;
use std::io::{BufRead, BufReader, Read as _};
use std::path::Path;

use serde_json::{Value, json};

use super::{ToolError, args, path};

/// Lines returned when no `limit` is given: a whole typical source file, not a whole log.
const DEFAULT_LIMIT: u64 = 2_000;
/// Longer lines (minified code, data) are cut so one line cannot eat the context.
const MAX_LINE_CHARS: usize = 2_000;
/// How much of the file is sniffed to tell text from binary.
const SNIFF_BYTES: usize = 8 * 1024;

/// What the model is told about `Read`.
pub const DESCRIPTION: &str = "Reads a text file and returns its lines numbered from 1 (`cat -n` style). \
`file_path` should be absolute. By default up to 2000 lines are returned from the start; pass `offset` \
(first line, 1-based) and `limit` to page through longer files. Lines over 2000 characters are cut. \
Directories and binary files are refused; use LS to list a directory.";

/// JSON Schema of `Read`'s arguments.
pub fn parameters() -> Value {
    json!({
        "type": "object",
        "properties": {
            "file_path": { "type": "string", "description": "Absolute path of the file to read" },
            "offset": { "type": "number", "description": "Line number to start at (1-based); for files too long to read at once" },
            "limit": { "type": "number", "description": "How many lines to return (default 2000)" }
        },
        "required": ["file_path"],
        "additionalProperties": false
    })
}

/// Runs a `Read` call.
pub(crate) fn run(input: &Value, cwd: &Path) -> Result<String, ToolError> {
    let raw = args::req_str(input, "file_path")?;
    let offset = args::opt_u64(input, "offset")?.unwrap_or(1).max(1);
    let limit = match args::opt_u64(input, "limit")? {
        Some(0) => return Err(ToolError::bad_arg("limit", "must be at least 1")),
        Some(limit) => limit,
        None => DEFAULT_LIMIT,
    };
    let file_path = path::resolve(cwd, raw);
    let meta = std::fs::metadata(&file_path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ToolError::Failed(format!("File does not exist: {}", file_path.display())),
        _ => ToolError::io(&file_path, e),
    })?;
    if meta.is_dir() {
        return Err(ToolError::Failed(format!(
            "{} is a directory, not a file; use LS to list it",
            file_path.display()
        )));
    }
    let mut file = File::open(&file_path).map_err(|e| ToolError::io(&file_path, e))?;
    let mut sample = Vec::with_capacity(SNIFF_BYTES);
    (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut sample).map_err(|e| ToolError::io(&file_path, e))?;
    if sample.is_empty() {
        return Ok(format!("(The file {} exists but is empty.)", file_path.display()));
    }
    if looks_binary(&sample, sample.len() < SNIFF_BYTES) {
        return Err(ToolError::Failed(format!(
            "{} looks like a binary file (NUL bytes or invalid UTF-8); Read only shows text",
            file_path.display()
        )));
    }
    let reader = BufReader::new(sample.as_slice().chain(file));
    let (shown, total) = numbered_window(reader, offset, limit).map_err(|e| ToolError::io(&file_path, e))?;
    if offset > total {
        return Err(ToolError::bad_arg("offset", format!("line {offset} is past the end: the file has {total} lines")));
    }
    let last = offset.saturating_add(limit - 1).min(total);
    let mut out = shown;
    if offset > 1 || last < total {
        out.push_str(&format!("\n\n[Showing lines {offset}-{last} of {total}; use offset and limit to read more]"));
    }
    Ok(out)
}

/// Text is valid UTF-8 without NUL bytes; a character cut at the sniff boundary is fine.
pub(crate) fn looks_binary(sample: &[u8], whole_file: bool) -> bool {
    if sample.contains(&0) {
        return true;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => false,
        Err(err) => whole_file || err.error_len().is_some(),
    }
}

/// Formats lines `offset..offset+limit` and counts all lines.
fn numbered_window(mut reader: impl BufRead, offset: u64, limit: u64) -> std::io::Result<(String, u64)> {
    let mut out = String::new();
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        number += 1;
        if number < offset || number >= offset.saturating_add(limit) {
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches('\n').trim_end_matches('\r');
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{number:>6}\t"));
        push_capped(&mut out, text);
    }
    Ok((out, number))
}

/// Appends `text`, cut at [`MAX_LINE_CHARS`] with a marker; Grep uses it for its lines too.
pub(crate) fn push_capped(out: &mut String, text: &str) {
    match text.char_indices().nth(MAX_LINE_CHARS) {
        None => out.push_str(text),
        Some((cut, _)) => {
            out.push_str(&text[..cut]);
            out.push_str(&format!("… [line cut: {} characters]", text.chars().count()));
        }
    }
}
