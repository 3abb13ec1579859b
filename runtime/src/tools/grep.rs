//! `Grep`: regex search over file contents (ripgrep's engine), honouring .gitignore,
//! with ripgrep-like output modes and context.

use std::path::Path;

use grep_regex::RegexMatcherBuilder;
use grep_searcher::{BinaryDetection, Searcher, SearcherBuilder, Sink, SinkContext, SinkMatch};
use ignore::overrides::OverrideBuilder;
use ignore::types::TypesBuilder;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::glob::{cancelled, search_base, walker};
use super::{ToolError, args, read};

/// Entries (lines, paths or counts) returned when no `head_limit` is given.
const DEFAULT_HEAD_LIMIT: u64 = 100;

/// What the model is told about `Grep`.
pub const DESCRIPTION: &str = "Searches file contents for a regular expression (Rust regex syntax, \
like ripgrep) under `path` (default the working directory), skipping files ignored by .gitignore and \
binary files. `output_mode`: \"files_with_matches\" (default) lists matching files, \"content\" shows \
matching lines as `path:line:text` (with -n, -A, -B, -C context), \"count\" shows matches per file. \
Filter files with `glob` (e.g. \"*.rs\") or `type` (e.g. \"rust\"). Results are sorted by path and \
limited by `head_limit` (default 100, 0 for no limit); `offset` skips entries.";

/// JSON Schema of `Grep`'s arguments.
pub fn parameters() -> Value {
    let context = |what: &str| json!({ "type": "number", "description": format!("Lines of context {what} each match (content mode only)") });
    json!({
        "type": "object",
        "properties": {
            "pattern": { "type": "string", "description": "Regular expression to search for" },
            "path": { "type": "string", "description": "File or directory to search (default: the working directory)" },
            "glob": { "type": "string", "description": "Only search files matching this glob, e.g. \"*.js\" or \"*.{ts,tsx}\"" },
            "type": { "type": "string", "description": "Only search files of this type, e.g. \"rust\", \"py\", \"js\"" },
            "output_mode": { "type": "string", "enum": ["content", "files_with_matches", "count"], "description": "What to return (default files_with_matches)" },
            "-i": { "type": "boolean", "description": "Case-insensitive search" },
            "-n": { "type": "boolean", "description": "Show line numbers (content mode; default true)" },
            "-A": context("after"),
            "-B": context("before"),
            "-C": context("before and after"),
            "context": context("before and after"),
            "head_limit": { "type": "number", "description": "Return at most this many entries (default 100; 0 = no limit)" },
            "offset": { "type": "number", "description": "Skip this many entries first (default 0)" }
        },
        "required": ["pattern"],
        "additionalProperties": false
    })
}

/// The three shapes of `Grep` output.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Content,
    Files,
    Count,
}

/// Runs a `Grep` call.
pub(crate) fn run(input: &Value, cwd: &Path, cancel: &CancellationToken) -> Result<String, ToolError> {
    let pattern = args::req_str(input, "pattern")?;
    let base = search_base(input, cwd)?;
    let mode = match args::opt_str(input, "output_mode")? {
        None | Some("files_with_matches") => Mode::Files,
        Some("content") => Mode::Content,
        Some("count") => Mode::Count,
        Some(other) => {
            return Err(ToolError::bad_arg(
                "output_mode",
                format!("{other:?}: expected content, files_with_matches or count"),
            ));
        }
    };
    let numbers = args::opt_bool(input, "-n")?.unwrap_or(true);
    let both = args::opt_u64(input, "-C")?.or(args::opt_u64(input, "context")?).unwrap_or(0);
    let after = args::opt_u64(input, "-A")?.unwrap_or(both);
    let before = args::opt_u64(input, "-B")?.unwrap_or(both);
    let (before, after) = if mode == Mode::Content { (before, after) } else { (0, 0) };
    let head_limit = match args::opt_u64(input, "head_limit")?.unwrap_or(DEFAULT_HEAD_LIMIT) {
        0 => usize::MAX,
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let offset = usize::try_from(args::opt_u64(input, "offset")?.unwrap_or(0)).unwrap_or(usize::MAX);
    let matcher = RegexMatcherBuilder::new()
        .case_insensitive(args::opt_bool(input, "-i")?.unwrap_or(false))
        .line_terminator(Some(b'\n'))
        .build(pattern)
        .map_err(|e| ToolError::bad_arg("pattern", e.to_string()))?;

    let mut walk = walker(&base);
    walk.sort_by_file_name(|a, b| a.cmp(b));
    if let Some(glob) = args::opt_str(input, "glob")? {
        let mut overrides = OverrideBuilder::new(&base);
        overrides.add(glob).map_err(|e| ToolError::bad_arg("glob", e.to_string()))?;
        walk.overrides(overrides.build().map_err(|e| ToolError::bad_arg("glob", e.to_string()))?);
    }
    if let Some(file_type) = args::opt_str(input, "type")? {
        let mut types = TypesBuilder::new();
        types.add_defaults();
        types.select(file_type);
        walk.types(types.build().map_err(|e| ToolError::bad_arg("type", e.to_string()))?);
    }
    let mut searcher = SearcherBuilder::new()
        .line_number(true)
        .before_context(usize::try_from(before).unwrap_or(usize::MAX))
        .after_context(usize::try_from(after).unwrap_or(usize::MAX))
        .binary_detection(BinaryDetection::quit(0))
        .build();

    // Enough entries to fill the page and know whether more exist; then stop searching.
    let wanted = offset.saturating_add(head_limit).saturating_add(1);
    let mut entries: Vec<String> = Vec::new();
    for entry in walk.build().flatten() {
        if cancel.is_cancelled() {
            return Err(cancelled("Grep"));
        }
        if entries.len() >= wanted {
            break;
        }
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let shown = entry.path().display().to_string();
        let mut sink = Collect { path: &shown, mode, numbers, lines: Vec::new(), count: 0 };
        // Unreadable files are skipped, as ripgrep does (it only warns).
        let searched = searcher.search_path(&matcher, entry.path(), &mut sink);
        let Collect { lines, count, .. } = sink;
        if searched.is_err() || count == 0 {
            continue;
        }
        match mode {
            Mode::Files => entries.push(shown),
            Mode::Count => entries.push(format!("{shown}:{count}")),
            Mode::Content => {
                if (before > 0 || after > 0) && !entries.is_empty() {
                    entries.push("--".to_owned());
                }
                entries.extend(lines);
            }
        }
    }
    Ok(page(entries, offset, head_limit, mode))
}

/// Applies `offset`/`head_limit` and says when more entries exist.
fn page(entries: Vec<String>, offset: usize, head_limit: usize, mode: Mode) -> String {
    if entries.is_empty() {
        return match mode {
            Mode::Files | Mode::Count => "No files found".to_owned(),
            Mode::Content => "No matches found".to_owned(),
        };
    }
    let more = entries.len() > offset.saturating_add(head_limit);
    let mut out: Vec<String> = entries.into_iter().skip(offset).take(head_limit).collect();
    if out.is_empty() {
        return format!("No entries after offset {offset}");
    }
    if more {
        let next = offset.saturating_add(head_limit);
        out.push(format!(
            "[More results exist; showing {head_limit} entries. Use offset={next} to see more, or narrow the search]"
        ));
    }
    out.join("\n")
}

/// Gathers one file's matches in the shape the mode needs.
struct Collect<'a> {
    path: &'a str,
    mode: Mode,
    numbers: bool,
    lines: Vec<String>,
    count: u64,
}

impl Collect<'_> {
    fn line(&mut self, sep: char, number: Option<u64>, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_end_matches('\n').trim_end_matches('\r');
        let mut line = match (self.numbers, number) {
            (true, Some(n)) => format!("{}{sep}{n}{sep}", self.path),
            _ => format!("{}{sep}", self.path),
        };
        read::push_capped(&mut line, text);
        self.lines.push(line);
    }
}

impl Sink for Collect<'_> {
    type Error = std::io::Error;

    fn matched(&mut self, _: &Searcher, mat: &SinkMatch<'_>) -> Result<bool, Self::Error> {
        self.count += mat.lines().count() as u64;
        if self.mode == Mode::Content {
            let first = mat.line_number();
            for (i, line) in mat.lines().enumerate() {
                self.line(':', first.map(|n| n + i as u64), line);
            }
        }
        // One match is enough to list the file.
        Ok(self.mode != Mode::Files)
    }

    fn context(&mut self, _: &Searcher, ctx: &SinkContext<'_>) -> Result<bool, Self::Error> {
        self.line('-', ctx.line_number(), ctx.bytes());
        Ok(true)
    }

    fn context_break(&mut self, _: &Searcher) -> Result<bool, Self::Error> {
        self.lines.push("--".to_owned());
        Ok(true)
    }
}
