//! Tests of the tools module against real files in temp dirs and real processes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{BuiltinTool, ToolContext, ToolOutput, run};

mod bash;
mod diff;
mod files;
mod permission;
mod search;
mod settings;

/// A temp dir and its canonical path (tools report real paths; /tmp may be a symlink).
fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let real = std::fs::canonicalize(dir.path()).unwrap();
    (dir, real)
}

/// Runs a tool with a plain context in `cwd`.
async fn call(tool: BuiltinTool, input: Value, cwd: &Path) -> ToolOutput {
    run(tool, &input, &ToolContext::new(cwd)).await
}

/// Writes a file, creating its parent directories.
fn put(root: &Path, rel: &str, content: &str) -> PathBuf {
    let file = root.join(rel);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, content).unwrap();
    file
}

#[test]
fn names_schemas_and_kinds_are_consistent() {
    for tool in BuiltinTool::ALL {
        assert_eq!(BuiltinTool::from_name(tool.name()), Some(tool));
        let schema = tool.parameters();
        assert_eq!(schema["type"], "object", "{}", tool.name());
        for required in schema["required"].as_array().unwrap() {
            assert!(schema["properties"].get(required.as_str().unwrap()).is_some(), "{}: {required}", tool.name());
        }
        assert!(!tool.description().is_empty());
    }
    assert_eq!(BuiltinTool::from_name("bash"), None);
    assert_eq!(BuiltinTool::Bash.kind(), super::ToolKind::Execute);
    assert_eq!(BuiltinTool::Edit.kind(), super::ToolKind::Edit);
    assert_eq!(BuiltinTool::LS.kind(), super::ToolKind::Read);
}

#[tokio::test]
async fn bad_input_is_an_error_naming_the_argument() {
    let (_dir, cwd) = temp();
    for tool in BuiltinTool::ALL {
        let out = call(tool, Value::String("not an object".into()), &cwd).await;
        assert!(out.is_error && out.content.contains("`input`"), "{}: {out:?}", tool.name());
    }
    let out = call(BuiltinTool::Read, serde_json::json!({ "file_path": 7 }), &cwd).await;
    assert!(out.is_error && out.content.contains("`file_path`") && out.content.contains("string"), "{out:?}");
    let out = call(BuiltinTool::Grep, serde_json::json!({ "pattern": "(" }), &cwd).await;
    assert!(out.is_error && out.content.contains("`pattern`"), "{out:?}");
    let out = call(BuiltinTool::Glob, serde_json::json!({ "pattern": "a[" }), &cwd).await;
    assert!(out.is_error && out.content.contains("`pattern`"), "{out:?}");
}
