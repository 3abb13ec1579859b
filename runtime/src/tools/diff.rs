//! Unified-diff previews of Write and Edit calls, shown with an approval request so the
//! user sees exactly what would change.

use std::path::Path;

use serde_json::Value;
use similar::{ChangeTag, TextDiff};
use tether_protocol::approval::{DiffHunk, DiffHunkLine, DiffLineKind, DiffPreview};

use super::{BuiltinTool, ToolError, edit, path, read};

/// Lines of unchanged context around each change, as `diff -u`.
const CONTEXT_LINES: usize = 3;
/// Files larger than this get a fallback instead of a diff: diffing them is slow and
/// the preview would be unreadable anyway.
const MAX_PREVIEW_BYTES: usize = 1 << 20;
/// Same, by line count.
const MAX_PREVIEW_LINES: usize = 20_000;

/// The preview a Write or Edit call would produce, `None` for other tools or unusable input.
pub fn preview_for(tool: BuiltinTool, input: &Value, cwd: &Path) -> Option<DiffPreview> {
    let text = |key: &str| input.get(key).and_then(Value::as_str);
    let file = path::resolve(cwd, text("file_path")?);
    match tool {
        BuiltinTool::Write => Some(preview_write(&file, text("content")?)),
        BuiltinTool::Edit => {
            let replace_all = input.get("replace_all").and_then(Value::as_bool).unwrap_or(false);
            Some(preview_edit(&file, text("old_string")?, text("new_string")?, replace_all))
        }
        _ => None,
    }
}

/// What writing `new_content` to `path` (absolute) changes; a new file is all additions.
pub fn preview_write(path: &Path, new_content: &str) -> DiffPreview {
    match current(path) {
        Ok(old) => preview(path, &old.unwrap_or_default(), new_content),
        Err(preview) => preview,
    }
}

/// What the Edit would change, computed with the same replacement logic as the tool.
pub fn preview_edit(path: &Path, old_string: &str, new_string: &str, replace_all: bool) -> DiffPreview {
    let old = match current(path) {
        Ok(Some(old)) => old,
        Ok(None) => return fallback(path, "the file does not exist".into()),
        Err(preview) => return preview,
    };
    match edit::apply(&old, old_string, new_string, replace_all) {
        Ok((new, _)) => preview(path, &old, &new),
        Err(ToolError::BadArgument { arg, reason }) => fallback(path, format!("{arg} {reason}")),
        Err(err) => fallback(path, err.to_string()),
    }
}

/// The file's text (`None` if it does not exist), or the preview to show instead.
fn current(path: &Path) -> Result<Option<String>, DiffPreview> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.len() > MAX_PREVIEW_BYTES => Err(fallback(path, too_big(bytes.len()))),
        Ok(bytes) if read::looks_binary(&bytes, true) => Err(unpreviewable(path)),
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(fallback(path, format!("cannot read the file: {e}"))),
    }
}

fn preview(path: &Path, old: &str, new: &str) -> DiffPreview {
    if new.len() > MAX_PREVIEW_BYTES {
        return fallback(path, too_big(new.len()));
    }
    if new.contains('\0') {
        return unpreviewable(path);
    }
    if old.lines().count().max(new.lines().count()) > MAX_PREVIEW_LINES {
        return fallback(path, format!("more than {MAX_PREVIEW_LINES} lines; too large to preview"));
    }
    DiffPreview::Advanced { file_name: name(path), hunks: hunks(old, new) }
}

/// Unified hunks: 1-based starts; an empty side starts at the line before, as `diff -u`.
pub(crate) fn hunks(old: &str, new: &str) -> Vec<DiffHunk> {
    let diff = TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    for group in diff.grouped_ops(CONTEXT_LINES) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        let mut lines = Vec::new();
        for op in &group {
            for change in diff.iter_changes(op) {
                let kind = match change.tag() {
                    ChangeTag::Equal => DiffLineKind::Context,
                    ChangeTag::Insert => DiffLineKind::Add,
                    ChangeTag::Delete => DiffLineKind::Remove,
                };
                let content = change.value().trim_end_matches('\n').trim_end_matches('\r').to_owned();
                lines.push(DiffHunkLine { kind, content });
            }
        }
        out.push(DiffHunk {
            old_start: unified_start(&old_range),
            old_lines: count(&old_range),
            new_start: unified_start(&new_range),
            new_lines: count(&new_range),
            lines,
        });
    }
    out
}

fn unified_start(range: &std::ops::Range<usize>) -> u32 {
    let start = if range.is_empty() { range.start } else { range.start + 1 };
    u32::try_from(start).unwrap_or(u32::MAX)
}

fn count(range: &std::ops::Range<usize>) -> u32 {
    u32::try_from(range.len()).unwrap_or(u32::MAX)
}

fn name(path: &Path) -> String {
    path.display().to_string()
}

fn too_big(bytes: usize) -> String {
    format!("{bytes} bytes; files over {MAX_PREVIEW_BYTES} bytes are too large to preview")
}

fn fallback(path: &Path, reason: String) -> DiffPreview {
    DiffPreview::Fallback { file_name: name(path), reason }
}

fn unpreviewable(path: &Path) -> DiffPreview {
    DiffPreview::Unpreviewable { file_name: name(path), reason: "binary file".into() }
}
