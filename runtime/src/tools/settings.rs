//! Settings files holding permission rules: `<cwd>/.tether/settings.json` (project)
//! and `<data_dir>/settings.json` (user), shaped `{"permissions":{"allow":[…],"deny":[…]}}`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::ToolError;
use super::fs_atomic;
use super::rules::{Rule, RuleScope, Rules, SourcedRule};

/// The project settings directory inside the cwd.
const PROJECT_DIR: &str = ".tether";
/// The settings file name in both places.
const FILE_NAME: &str = "settings.json";

/// The settings file of a scope (none for [`RuleScope::Session`], which lives in memory).
pub fn settings_file(scope: RuleScope, cwd: &Path, data_dir: &Path) -> Option<PathBuf> {
    match scope {
        RuleScope::Session => None,
        RuleScope::Project => Some(cwd.join(PROJECT_DIR).join(FILE_NAME)),
        RuleScope::User => Some(data_dir.join(FILE_NAME)),
    }
}

impl Rules {
    /// Reads the project and user settings files; a missing file is normal, an unreadable
    /// or malformed one is logged and skipped (as is any bad entry), never fatal.
    pub fn load(cwd: &Path, data_dir: &Path) -> Rules {
        let mut rules = Rules::default();
        for scope in [RuleScope::Project, RuleScope::User] {
            let Some(file) = settings_file(scope, cwd, data_dir) else { continue };
            match read_settings(&file) {
                Ok(Some(doc)) => rules.absorb(&doc, scope, &file),
                Ok(None) => {}
                Err(err) => tracing::warn!("ignoring permission rules: {err}"),
            }
        }
        rules
    }

    /// Adds a rule in memory (e.g. one just approved), so it applies without reloading.
    pub fn add_allow(&mut self, rule: Rule, scope: RuleScope, file: Option<PathBuf>) {
        self.allow.push(SourcedRule { rule, scope, file });
    }

    fn absorb(&mut self, doc: &Value, scope: RuleScope, file: &Path) {
        let Some(permissions) = doc.get("permissions") else { return };
        for (key, list) in [("allow", &mut self.allow), ("deny", &mut self.deny)] {
            let Some(entries) = permissions.get(key) else { continue };
            let Some(entries) = entries.as_array() else {
                tracing::warn!("{}: permissions.{key} is not a list; ignored", file.display());
                continue;
            };
            for entry in entries {
                match entry.as_str().map(Rule::parse) {
                    Some(Ok(rule)) => list.push(SourcedRule { rule, scope, file: Some(file.to_path_buf()) }),
                    Some(Err(err)) => tracing::warn!("{}: {err}; ignored", file.display()),
                    None => {
                        tracing::warn!("{}: permissions.{key} entry {entry} is not a string; ignored", file.display())
                    }
                }
            }
        }
    }
}

/// The settings document, `None` if the file does not exist; an error if it cannot be
/// read or is not a JSON object (so that it is never overwritten by mistake).
fn read_settings(file: &Path) -> Result<Option<Value>, ToolError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ToolError::io(file, e)),
    };
    let bad = |reason: String| ToolError::Settings { path: file.to_path_buf(), reason };
    let doc: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    if !doc.is_object() {
        return Err(bad("not a JSON object".into()));
    }
    Ok(Some(doc))
}

/// Adds `rule` to the allow list of the scope's settings file (created if needed),
/// rewriting it atomically and keeping every other key; a session rule writes nothing.
pub fn persist_rule(rule: &Rule, scope: RuleScope, cwd: &Path, data_dir: &Path) -> Result<(), ToolError> {
    let Some(file) = settings_file(scope, cwd, data_dir) else { return Ok(()) };
    let bad = |reason: &str| ToolError::Settings { path: file.clone(), reason: reason.to_owned() };
    let mut doc = read_settings(&file)?.unwrap_or_else(|| Value::Object(Map::new()));
    let permissions = doc
        .as_object_mut()
        .ok_or_else(|| bad("not a JSON object"))?
        .entry("permissions")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| bad("`permissions` is not an object"))?;
    let allow = permissions
        .entry("allow")
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()
        .ok_or_else(|| bad("`permissions.allow` is not a list"))?;
    let text = Value::String(rule.to_string());
    if !allow.contains(&text) {
        allow.push(text);
    }
    let mut json = serde_json::to_string_pretty(&doc).map_err(|e| bad(&e.to_string()))?;
    json.push('\n');
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| ToolError::io(dir, e))?;
    }
    fs_atomic::write_atomic(&file, json.as_bytes())
}
