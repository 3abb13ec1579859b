//! Loading rules from both settings files, surviving bad ones, and persisting rules.

use serde_json::{Value, json};

use super::{put, temp};
use crate::tools::settings::settings_file;
use crate::tools::{Rule, RuleScope, Rules, persist_rule};

fn texts(list: &[crate::tools::rules::SourcedRule]) -> Vec<String> {
    list.iter().map(|r| r.rule.to_string()).collect()
}

#[test]
fn loads_rules_from_project_and_user_files() {
    let (_d1, cwd) = temp();
    let (_d2, data) = temp();
    put(&cwd, ".tether/settings.json", r#"{"permissions":{"allow":["Bash(npm test)"],"deny":["Read(.env)"]}}"#);
    put(&data, "settings.json", r#"{"model":"x","permissions":{"allow":["Bash(git log:*)", 42, "Bad(rule"]}}"#);
    let rules = Rules::load(&cwd, &data);
    assert_eq!(texts(&rules.allow), ["Bash(npm test)", "Bash(git log:*)"]);
    assert_eq!(texts(&rules.deny), ["Read(.env)"]);
    assert_eq!(rules.allow[0].scope, RuleScope::Project);
    assert_eq!(rules.allow[0].file.as_deref(), Some(cwd.join(".tether/settings.json").as_path()));
    assert_eq!(rules.allow[1].scope, RuleScope::User);
}

#[test]
fn malformed_or_missing_files_are_ignored() {
    let (_d1, cwd) = temp();
    let (_d2, data) = temp();
    assert_eq!(Rules::load(&cwd, &data), Rules::default());
    put(&cwd, ".tether/settings.json", "{ not json");
    put(&data, "settings.json", r#"{"permissions":{"deny":["Bash(rm:*)"],"allow":"Bash"}}"#);
    let rules = Rules::load(&cwd, &data);
    assert!(rules.allow.is_empty());
    assert_eq!(texts(&rules.deny), ["Bash(rm:*)"]);
    put(&data, "settings.json", "[1, 2]");
    std::fs::create_dir_all(cwd.join(".tether/settings.json.d")).unwrap();
    assert_eq!(Rules::load(&cwd, &data), Rules::default());
}

#[test]
fn persist_rule_round_trips_and_keeps_other_keys() {
    let (_d1, cwd) = temp();
    let (_d2, data) = temp();
    let user_file = put(&data, "settings.json", r#"{"model":"m","permissions":{"deny":["Bash(rm:*)"],"extra":1}}"#);
    let rule = Rule::parse("Bash(npm test:*)").unwrap();
    persist_rule(&rule, RuleScope::User, &cwd, &data).unwrap();
    persist_rule(&rule, RuleScope::User, &cwd, &data).unwrap();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&user_file).unwrap()).unwrap();
    assert_eq!(
        doc,
        json!({ "model": "m", "permissions": { "deny": ["Bash(rm:*)"], "extra": 1, "allow": ["Bash(npm test:*)"] } })
    );

    // The project file and its directory are created on first use.
    persist_rule(&Rule::parse("Edit(src/**)").unwrap(), RuleScope::Project, &cwd, &data).unwrap();
    let rules = Rules::load(&cwd, &data);
    assert_eq!(texts(&rules.allow), ["Edit(src/**)", "Bash(npm test:*)"]);
    assert_eq!(settings_file(RuleScope::Project, &cwd, &data), Some(cwd.join(".tether/settings.json")));

    // Session rules are not written anywhere.
    persist_rule(&Rule::parse("Bash").unwrap(), RuleScope::Session, &cwd, &data).unwrap();
    assert_eq!(Rules::load(&cwd, &data).allow.len(), 2);
}

#[test]
fn persist_rule_never_clobbers_a_file_it_cannot_understand() {
    let (_d1, cwd) = temp();
    let (_d2, data) = temp();
    let rule = Rule::parse("Bash").unwrap();
    for text in ["{ broken", r#"{"permissions":[]}"#, r#"{"permissions":{"allow":"Bash"}}"#] {
        let file = put(&data, "settings.json", text);
        let err = persist_rule(&rule, RuleScope::User, &cwd, &data).unwrap_err();
        assert!(err.to_string().contains("settings.json"), "{err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    }
}
