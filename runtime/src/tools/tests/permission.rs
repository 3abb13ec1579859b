//! The permission decision: every mode × kind, deny wins, allow rules, outside-cwd
//! writes (through `..` and through a symlink), suggestions.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::temp;
use crate::tools::rules::SourcedRule;
use crate::tools::{
    BuiltinTool, Decision, PermissionMode, PermissionRequest, Rule, RuleScope, Rules, decide, rule_for_suggestion,
};

use PermissionMode::{AcceptEdits, Standard, Strict, Unrestricted};

/// A cwd with `src/`, a sibling `outside/` and `cwd/link` → `outside/`.
struct World {
    _dir: tempfile::TempDir,
    cwd: PathBuf,
    outside: PathBuf,
}

fn world() -> World {
    let (dir, root) = temp();
    let cwd = root.join("project");
    let outside = root.join("outside");
    std::fs::create_dir_all(cwd.join("src")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, cwd.join("link")).unwrap();
    World { _dir: dir, cwd, outside }
}

fn rules(allow: &[&str], deny: &[&str]) -> Rules {
    let sourced = |list: &[&str]| {
        list.iter()
            .map(|r| SourcedRule { rule: Rule::parse(r).unwrap(), scope: RuleScope::Session, file: None })
            .collect()
    };
    Rules { allow: sourced(allow), deny: sourced(deny) }
}

fn decide_tool(mode: PermissionMode, rules: &Rules, tool: &str, input: Value, cwd: &Path) -> Decision {
    let kind = BuiltinTool::from_name(tool).map(BuiltinTool::kind);
    decide(mode, rules, &PermissionRequest { tool_name: tool, kind, input: &input, cwd })
}

/// Reduces a decision to a letter, for compact tables.
fn letter(decision: &Decision) -> char {
    match decision {
        Decision::Allow => 'A',
        Decision::Ask { blocked_path: None, .. } => '?',
        Decision::Ask { blocked_path: Some(_), .. } => 'B',
        Decision::Deny { .. } => 'D',
    }
}

#[test]
fn every_mode_by_every_kind() {
    let w = world();
    let none = Rules::default();
    let calls = [
        ("Read", json!({ "file_path": "src/a.rs" })),
        ("Glob", json!({ "pattern": "**" })),
        ("Grep", json!({ "pattern": "x", "path": "/etc" })),
        ("LS", json!({ "path": "." })),
        ("Write", json!({ "file_path": "src/new.rs", "content": "" })),
        ("Edit", json!({ "file_path": w.cwd.join("src/a.rs"), "old_string": "a", "new_string": "b" })),
        ("Bash", json!({ "command": "ls" })),
        ("WebSearch", json!({ "query": "rust" })),
    ];
    let table = [(Standard, "AAAA????"), (AcceptEdits, "AAAAAA??"), (Unrestricted, "AAAAAAAA"), (Strict, "????????")];
    for (mode, row) in table {
        let got: String =
            calls.iter().map(|(tool, input)| letter(&decide_tool(mode, &none, tool, input.clone(), &w.cwd))).collect();
        assert_eq!(got, row, "{mode:?}");
    }
}

#[test]
fn writes_outside_the_cwd_always_ask_with_the_real_path() {
    let w = world();
    let allow_all = rules(&["Edit", "Write", "*", &format!("Edit(/{}/**)", w.outside.display())], &[]);
    let outside_file = w.outside.join("x.txt").display().to_string();
    for raw in ["../outside/x.txt", "link/x.txt", "src/../link/x.txt"] {
        for mode in [Standard, AcceptEdits, Strict] {
            for (tool, input) in
                [("Write", json!({ "file_path": raw, "content": "" })), ("Edit", json!({ "file_path": raw }))]
            {
                let decision = decide_tool(mode, &allow_all, tool, input, &w.cwd);
                let expected = Decision::Ask { blocked_path: Some(outside_file.clone()), suggestions: vec![] };
                assert_eq!(decision, expected, "{tool} {raw} {mode:?}");
            }
        }
        let decision =
            decide_tool(Unrestricted, &Rules::default(), "Write", json!({ "file_path": raw, "content": "" }), &w.cwd);
        assert_eq!(decision, Decision::Allow, "unrestricted allows unless denied");
        let deny = rules(&[], &[&format!("Write(/{}/**)", w.outside.display())]);
        let decision = decide_tool(Unrestricted, &deny, "Write", json!({ "file_path": raw, "content": "" }), &w.cwd);
        assert_eq!(letter(&decision), 'D', "{raw}: a deny rule on the real path wins");
    }
}

#[test]
fn deny_rules_win_in_every_mode() {
    let w = world();
    let rules = rules(&["Bash", "Read", "Edit"], &["Bash(rm:*)", "Read(secrets/**)", "Edit(*.lock)", "WebFetch"]);
    let cases = [
        ("Bash", json!({ "command": "rm -rf build" })),
        ("Bash", json!({ "command": "ls &&  rm  -rf build" })),
        ("Read", json!({ "file_path": "secrets/key.pem" })),
        ("Grep", json!({ "pattern": "x", "path": "secrets" })),
        ("Write", json!({ "file_path": "sub/Cargo.lock", "content": "" })),
        ("WebFetch", json!({ "url": "https://example.com" })),
    ];
    for mode in [Standard, AcceptEdits, Unrestricted, Strict] {
        for (tool, input) in &cases {
            let decision = decide_tool(mode, &rules, tool, input.clone(), &w.cwd);
            let Decision::Deny { reason } = &decision else { panic!("{mode:?} {input}: {decision:?}") };
            assert!(reason.contains("is denied by permission rule `"), "{reason}");
        }
        let decision = decide_tool(mode, &rules, "Bash", json!({ "command": "rmdir x" }), &w.cwd);
        assert_eq!(decision, Decision::Allow, "{mode:?}: `rm:*` does not cover `rmdir`");
    }
}

#[test]
fn allow_rules_turn_asks_into_allows() {
    let w = world();
    let rules = rules(&["Bash(npm test)", "Bash(git log:*)", "Read(src/**)", "Edit(src/**)", "WebSearch"], &[]);
    let cases = [
        (Standard, "Bash", json!({ "command": "npm  test" }), 'A'),
        (Standard, "Bash", json!({ "command": "npm test --watch" }), '?'),
        (Standard, "Bash", json!({ "command": "git log --oneline | head -5" }), '?'),
        (Standard, "Bash", json!({ "command": "git log --oneline && git log -1" }), 'A'),
        (Standard, "Bash", json!({ "command": "git log; rm -rf /" }), '?'),
        (Standard, "Bash", json!({ "command": "git log $(rm -rf /)" }), '?'),
        (Standard, "Bash", json!({ "command": "git logx" }), '?'),
        (Strict, "Read", json!({ "file_path": "src/deep/a.rs" }), 'A'),
        (Strict, "Grep", json!({ "pattern": "x", "path": "src" }), 'A'),
        (Strict, "Read", json!({ "file_path": "Cargo.toml" }), '?'),
        (Standard, "Write", json!({ "file_path": "src/new.rs", "content": "" }), 'A'),
        (Standard, "Edit", json!({ "file_path": "docs/a.md" }), '?'),
        (Strict, "WebSearch", json!({ "query": "x" }), 'A'),
        (Strict, "WebFetch", json!({ "url": "x" }), '?'),
    ];
    for (mode, tool, input, expected) in cases {
        assert_eq!(
            letter(&decide_tool(mode, &rules, tool, input.clone(), &w.cwd)),
            expected,
            "{mode:?} {tool} {input}"
        );
    }
}

#[test]
fn asks_come_with_suggestions_that_rebuild_their_rule() {
    let w = world();
    let none = Rules::default();
    let Decision::Ask { suggestions, blocked_path: None } =
        decide_tool(Standard, &none, "Bash", json!({ "command": "npm test" }), &w.cwd)
    else {
        panic!("expected an ask")
    };
    let ids: Vec<&str> = suggestions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["project:Bash(npm test)", "project:Bash(npm test:*)"]);
    assert_eq!(suggestions[0].text, "Always allow `Bash(npm test)` in this project");
    let (rule, scope) = rule_for_suggestion(ids[1]).unwrap();
    assert_eq!((rule.to_string(), scope), ("Bash(npm test:*)".to_owned(), RuleScope::Project));

    let suggested = |tool: &str, input: Value, mode| match decide_tool(mode, &none, tool, input, &w.cwd) {
        Decision::Ask { suggestions, .. } => suggestions.into_iter().map(|s| s.id).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        suggested("Bash", json!({ "command": "ls -la src" }), Standard),
        ["project:Bash(ls -la src)", "project:Bash(ls:*)"]
    );
    assert_eq!(suggested("Bash", json!({ "command": "rm -rf x" }), Standard), ["project:Bash(rm -rf x)"]);
    assert_eq!(
        suggested("Bash", json!({ "command": "make && make test" }), Standard),
        ["project:Bash(make && make test)"]
    );
    assert_eq!(suggested("Edit", json!({ "file_path": "src/a.rs" }), Standard), ["project:Edit(src/**)"]);
    assert_eq!(suggested("Write", json!({ "file_path": "a.rs", "content": "" }), Strict), ["project:Edit(**)"]);
    assert_eq!(suggested("LS", json!({ "path": "src" }), Strict), ["project:Read(src/**)"]);
    assert_eq!(suggested("mcp_tool", json!({}), Standard), ["project:mcp_tool"]);

    // Saving what was suggested makes the same call run.
    for (tool, input) in [("Bash", json!({ "command": "ls -la other" })), ("Edit", json!({ "file_path": "src/b.rs" }))]
    {
        let id = suggested(tool, input.clone(), Standard).pop().unwrap();
        let (rule, scope) = rule_for_suggestion(&id).unwrap();
        let mut rules = Rules::default();
        rules.add_allow(rule, scope, None);
        assert_eq!(decide_tool(Standard, &rules, tool, input, &w.cwd), Decision::Allow, "{id}");
    }
    assert_eq!(rule_for_suggestion("nonsense"), None);
    assert_eq!(rule_for_suggestion("galaxy:Bash"), None);
}

#[test]
fn modes_convert_to_and_from_the_protocol() {
    use tether_protocol::lifecycle::DevicePermissionMode as D;
    for (ours, theirs) in
        [(Standard, D::Standard), (AcceptEdits, D::AcceptEdits), (Unrestricted, D::Unrestricted), (Strict, D::Strict)]
    {
        assert_eq!(PermissionMode::from(theirs), ours);
        assert_eq!(D::from(ours), theirs);
    }
    assert_eq!(PermissionMode::default(), Standard);
}

#[test]
fn rule_syntax_round_trips() {
    for text in [
        "Bash",
        "Bash(npm run test)",
        "Bash(git push --force:*)",
        "Read(src/**)",
        "Edit(//abs/path/**)",
        "WebFetch(domain:x.com)",
        "*",
    ] {
        assert_eq!(Rule::parse(text).unwrap().to_string(), text);
    }
    assert_eq!(Rule::parse("Bash()").unwrap().to_string(), "Bash");
    for bad in ["", "Bash(unclosed", "(x)", "Two words"] {
        assert!(Rule::parse(bad).is_err(), "{bad}");
    }
}
