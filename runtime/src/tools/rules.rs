//! Permission rules (`Bash(npm test)`, `Bash(git push:*)`, `Read(src/**)`, `Edit`, …),
//! where each came from, and how they match a tool call.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use globset::{GlobBuilder, GlobMatcher};

use super::{ToolError, ToolKind, shell};

/// A permission rule: a tool name, optionally narrowed by a specifier in parentheses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Tool name (`Bash`, `Read`, `Edit`, an external tool's name, or `*` for any).
    pub tool: String,
    /// What inside the parentheses narrows it to (a command or a path glob), if anything.
    pub specifier: Option<String>,
}

impl Rule {
    /// Parses `Tool` or `Tool(specifier)`; `Tool()` means the whole tool.
    pub fn parse(text: &str) -> Result<Self, ToolError> {
        let text = text.trim();
        let bad = || ToolError::BadRule(text.to_owned());
        let (tool, specifier) = match text.split_once('(') {
            None => (text, None),
            Some((tool, rest)) => {
                let spec = rest.strip_suffix(')').ok_or_else(bad)?;
                (tool, (!spec.trim().is_empty()).then(|| spec.to_owned()))
            }
        };
        let valid_name = tool == "*" || tool.chars().all(|c| c.is_alphanumeric() || "_-.:".contains(c));
        if tool.is_empty() || !valid_name {
            return Err(bad());
        }
        Ok(Self { tool: tool.to_owned(), specifier })
    }

    /// Whether the rule applies to this tool: by name, or a built-in family name
    /// (`Bash`, `Read`, `Edit`) covering every tool of that kind.
    fn covers_tool(&self, tool_name: &str, kind: Option<ToolKind>) -> bool {
        self.tool == tool_name
            || (self.tool == "*" && self.specifier.is_none())
            || matches!(
                (self.tool.as_str(), kind),
                ("Bash", Some(ToolKind::Execute)) | ("Read", Some(ToolKind::Read)) | ("Edit", Some(ToolKind::Edit))
            )
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.specifier {
            Some(spec) => write!(f, "{}({spec})", self.tool),
            None => f.write_str(&self.tool),
        }
    }
}

impl FromStr for Rule {
    type Err = ToolError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// Where a rule lives, which is also where an approved suggestion is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleScope {
    /// Only in memory, for this runtime's lifetime.
    Session,
    /// `<cwd>/.tether/settings.json`: this project, shareable with its repository.
    Project,
    /// `<data_dir>/settings.json`: every project of this user.
    User,
}

/// A rule with its origin, so a denial can say which file to edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedRule {
    /// The rule.
    pub rule: Rule,
    /// Its scope.
    pub scope: RuleScope,
    /// The settings file it was read from (none for session rules).
    pub file: Option<PathBuf>,
}

impl fmt::Display for SourcedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "`{}` (from {})", self.rule, file.display()),
            None => write!(f, "`{}` (this session)", self.rule),
        }
    }
}

/// The allow and deny rules in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Rules that turn an ask into an allow.
    pub allow: Vec<SourcedRule>,
    /// Rules that refuse a call outright, in every mode.
    pub deny: Vec<SourcedRule>,
}

/// What rules are matched against: one tool call, with its paths already resolved.
pub(crate) struct Call<'a> {
    pub tool_name: &'a str,
    pub kind: Option<ToolKind>,
    pub target: Target,
    /// The cwd as given and as really located, for relative patterns.
    pub cwd: &'a Path,
    pub cwd_real: PathBuf,
}

/// The part of a call a specifier talks about.
pub(crate) enum Target {
    /// A shell command (Bash).
    Command(String),
    /// A file or directory, lexically resolved and really located.
    Path { lexical: PathBuf, real: PathBuf },
    /// Nothing a specifier can match (external tools, missing arguments).
    Nothing,
}

impl Rules {
    /// The first deny rule matching the call; for a command, any of its simple commands
    /// matching is enough. For paths, the lexical or the real path matching is enough.
    pub(crate) fn find_deny(&self, call: &Call<'_>) -> Option<&SourcedRule> {
        self.deny.iter().find(|r| {
            r.rule.covers_tool(call.tool_name, call.kind)
                && match (&r.rule.specifier, &call.target) {
                    (None, _) => true,
                    (Some(spec), Target::Command(command)) => {
                        let parts = shell::split_commands(command).unwrap_or_default();
                        command_matches(spec, command) || parts.iter().any(|p| command_matches(spec, p))
                    }
                    (Some(spec), Target::Path { lexical, real }) => {
                        path_matches(spec, lexical, call.cwd) || path_matches(spec, real, &call.cwd_real)
                    }
                    (Some(_), Target::Nothing) => false,
                }
        })
    }

    /// Whether allow rules vouch for the call: a command needs every simple command
    /// allowed (or an exact rule for the whole); a path is judged by its real location.
    pub(crate) fn allows(&self, call: &Call<'_>) -> bool {
        let rules: Vec<&Rule> =
            self.allow.iter().map(|r| &r.rule).filter(|r| r.covers_tool(call.tool_name, call.kind)).collect();
        if rules.iter().any(|r| r.specifier.is_none()) {
            return true;
        }
        let specs = rules.iter().filter_map(|r| r.specifier.as_deref());
        match &call.target {
            Target::Command(command) => {
                let whole = shell::normalize(command);
                specs.clone().any(|s| !s.ends_with(":*") && shell::normalize(s) == whole)
                    || shell::split_commands(command).is_some_and(|parts| {
                        !parts.is_empty() && parts.iter().all(|p| specs.clone().any(|s| command_matches(s, p)))
                    })
            }
            Target::Path { real, .. } => specs.clone().any(|s| path_matches(s, real, &call.cwd_real)),
            Target::Nothing => false,
        }
    }
}

/// `cmd:*` matches `cmd` and `cmd <anything>`; otherwise the command must be equal
/// (whitespace-normalised).
fn command_matches(spec: &str, command: &str) -> bool {
    let command = shell::normalize(command);
    match spec.strip_suffix(":*") {
        Some(prefix) => {
            let prefix = shell::normalize(prefix);
            command == prefix || command.strip_prefix(&prefix).is_some_and(|rest| rest.starts_with(' '))
        }
        None => command == shell::normalize(spec),
    }
}

/// Gitignore-style: `//abs`, `/abs` and `~/x` are absolute, anything else is relative to
/// the cwd; a pattern without `/` matches at any depth; matching a directory covers
/// everything under it.
fn path_matches(spec: &str, path: &Path, cwd: &Path) -> bool {
    let Some(matcher) = compile(spec, cwd) else { return false };
    // `dir/**` also covers `dir` itself (e.g. Grep with `path` = that directory).
    let dir_itself = spec.strip_suffix("/**").and_then(|base| compile(base, cwd));
    path.ancestors().any(|p| matcher.is_match(p) || dir_itself.as_ref().is_some_and(|m| m.is_match(p)))
}

fn compile(spec: &str, cwd: &Path) -> Option<GlobMatcher> {
    let spec = spec.strip_prefix("./").unwrap_or(spec);
    let home = std::env::var("HOME").ok();
    let absolute = if let Some(rest) = spec.strip_prefix("//") {
        format!("/{rest}")
    } else if let (Some(rest), Some(home)) = (spec.strip_prefix("~/"), home.as_deref()) {
        format!("{}/{rest}", globset::escape(home.trim_end_matches('/')))
    } else if spec.starts_with('/') {
        spec.to_owned()
    } else {
        let base = globset::escape(&cwd.display().to_string());
        let base = base.trim_end_matches('/');
        if spec.trim_end_matches('/').contains('/') { format!("{base}/{spec}") } else { format!("{base}/**/{spec}") }
    };
    let absolute = absolute.trim_end_matches('/');
    GlobBuilder::new(absolute).literal_separator(true).build().ok().map(|g| g.compile_matcher())
}
