//! The "always allow …" rules offered with an approval, and turning a selected
//! suggestion's id back into the rule to save.

use tether_protocol::approval::PermissionSuggestion;

use super::ToolKind;
use super::rules::{Call, Rule, RuleScope, Target};
use super::shell;

/// Commands that take a subcommand, so a useful prefix rule keeps two words (`git log`).
const SUBCOMMAND_TOOLS: [&str; 14] =
    ["git", "npm", "pnpm", "yarn", "bun", "cargo", "go", "docker", "kubectl", "make", "pip", "uv", "gh", "dotnet"];
/// Commands whose prefix rule would allow too much (destructive, or running arbitrary code).
const NO_PREFIX: [&str; 18] = [
    "rm", "mv", "dd", "sudo", "su", "chmod", "chown", "kill", "killall", "sh", "bash", "zsh", "eval", "exec", "xargs",
    "env", "python", "node",
];
/// Commands longer than this are unlikely to recur verbatim; no exact rule is offered.
const MAX_EXACT_COMMAND_CHARS: usize = 300;

/// A suggestion's id: the scope and the rule, so [`rule_for_suggestion`] can rebuild it.
pub fn suggestion_id(rule: &Rule, scope: RuleScope) -> String {
    let scope = match scope {
        RuleScope::Session => "session",
        RuleScope::Project => "project",
        RuleScope::User => "user",
    };
    format!("{scope}:{rule}")
}

/// The rule and scope behind a suggestion id the user selected; `None` if it is not one of ours.
pub fn rule_for_suggestion(suggestion_id: &str) -> Option<(Rule, RuleScope)> {
    let (scope, rule) = suggestion_id.split_once(':')?;
    let scope = match scope {
        "session" => RuleScope::Session,
        "project" => RuleScope::Project,
        "user" => RuleScope::User,
        _ => return None,
    };
    Some((Rule::parse(rule).ok()?, scope))
}

/// What to offer for a call that asks.
pub(crate) fn suggestions(call: &Call<'_>) -> Vec<PermissionSuggestion> {
    let project =
        |rule: Rule, text: String| PermissionSuggestion { id: suggestion_id(&rule, RuleScope::Project), text };
    let rule = |tool: &str, spec: Option<String>| Rule { tool: tool.to_owned(), specifier: spec };
    match (&call.target, call.kind) {
        (Target::Command(command), Some(ToolKind::Execute)) => {
            let mut out = Vec::new();
            let exact = shell::normalize(command);
            if !exact.is_empty() && !command.contains('\n') && exact.len() <= MAX_EXACT_COMMAND_CHARS {
                let r = rule("Bash", Some(exact.clone()));
                out.push(project(r.clone(), format!("Always allow `{r}` in this project")));
            }
            if let Some(prefix) = prefix_of(command) {
                let r = rule("Bash", Some(format!("{prefix}:*")));
                out.push(project(
                    r.clone(),
                    format!("Always allow commands starting with `{prefix}` in this project (`{r}`)"),
                ));
            }
            out
        }
        (Target::Path { real, .. }, Some(kind @ (ToolKind::Edit | ToolKind::Read))) => {
            let dir = if real.is_dir() { real.as_path() } else { real.parent().unwrap_or(real) };
            let (spec, shown) = match dir.strip_prefix(&call.cwd_real) {
                Ok(rel) if rel.as_os_str().is_empty() => ("**".to_owned(), "this whole project".to_owned()),
                Ok(rel) => {
                    let rel = rel.display().to_string();
                    (format!("{}/**", globset::escape(&rel)), format!("`{rel}/`"))
                }
                Err(_) => {
                    let abs = dir.display().to_string();
                    (format!("/{}/**", globset::escape(&abs)), format!("`{abs}/`"))
                }
            };
            let (tool, verb) = if kind == ToolKind::Edit { ("Edit", "edits") } else { ("Read", "reading") };
            let text = if spec == "**" {
                format!("Always allow {verb} in {shown}")
            } else {
                format!("Always allow {verb} in {shown} in this project")
            };
            vec![project(rule(tool, Some(spec)), text)]
        }
        (_, None) => {
            let r = rule(call.tool_name, None);
            vec![project(r.clone(), format!("Always allow `{r}` in this project"))]
        }
        _ => Vec::new(),
    }
}

/// A sensible prefix for a single simple command: its program, plus the subcommand for
/// tools that have them; none for compound commands or programs too dangerous to prefix.
fn prefix_of(command: &str) -> Option<String> {
    let parts = shell::split_commands(command)?;
    let [single] = parts.as_slice() else { return None };
    let words: Vec<&str> = single.split(' ').collect();
    let program = *words.first()?;
    if words.len() < 2 || NO_PREFIX.contains(&program) || program.contains('=') {
        return None;
    }
    match words.get(1) {
        Some(sub) if SUBCOMMAND_TOOLS.contains(&program) && !sub.starts_with('-') => Some(format!("{program} {sub}")),
        _ => Some(program.to_owned()),
    }
}
