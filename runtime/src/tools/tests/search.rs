//! Glob, Grep and LS over a small tree with a .gitignore (and no git repository).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::json;

use super::{call, put, temp};
use crate::tools::BuiltinTool;

/// A project with ignored files; `src/main.rs` is newer than `src/lib.rs`.
fn project() -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = temp();
    put(&root, ".gitignore", "ignored.txt\nbuild/\n");
    put(&root, "src/lib.rs", "pub fn hello() {}\n// HELLO world\nfn other() {}\n");
    put(&root, "src/main.rs", "fn main() {\n    println!(\"Hello\");\n}\n");
    put(&root, "README.md", "say hello\n");
    put(&root, "ignored.txt", "hello from an ignored file\n");
    put(&root, "build/out.rs", "fn hello() {}\n");
    let old = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options().write(true).open(root.join("src/lib.rs")).unwrap().set_modified(old).unwrap();
    (dir, root)
}

fn lines(root: &Path, rels: &[&str]) -> String {
    rels.iter().map(|r| root.join(r).display().to_string()).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn glob_respects_gitignore_and_sorts_newest_first() {
    let (_dir, root) = project();
    let out = call(BuiltinTool::Glob, json!({ "pattern": "**/*.rs" }), &root).await;
    assert_eq!(out.content, lines(&root, &["src/main.rs", "src/lib.rs"]));
    let out = call(BuiltinTool::Glob, json!({ "pattern": "*.md" }), &root).await;
    assert_eq!(out.content, lines(&root, &["README.md"]));
    let out = call(BuiltinTool::Glob, json!({ "pattern": "*.txt", "path": root.join("src") }), &root).await;
    assert_eq!(out.content, "No files found");
    let absolute = format!("{}/src/*.rs", root.display());
    let out = call(BuiltinTool::Glob, json!({ "pattern": absolute }), &root).await;
    assert_eq!(out.content.lines().count(), 2, "{}", out.content);
}

#[tokio::test]
async fn glob_caps_results_with_a_note() {
    let (_dir, root) = temp();
    for n in 0..120 {
        put(&root, &format!("f{n:03}.txt"), "");
    }
    let out = call(BuiltinTool::Glob, json!({ "pattern": "*.txt" }), &root).await;
    let all: Vec<&str> = out.content.lines().collect();
    assert_eq!(all.len(), 101);
    assert!(all[100].contains("100 most recently modified of 120"), "{}", all[100]);
}

#[tokio::test]
async fn grep_files_with_matches_respects_gitignore() {
    let (_dir, root) = project();
    let out = call(BuiltinTool::Grep, json!({ "pattern": "hello" }), &root).await;
    assert_eq!(out.content, lines(&root, &["README.md", "src/lib.rs"]));
    let out = call(BuiltinTool::Grep, json!({ "pattern": "hello", "-i": true, "glob": "*.rs" }), &root).await;
    assert_eq!(out.content, lines(&root, &["src/lib.rs", "src/main.rs"]));
    let out = call(BuiltinTool::Grep, json!({ "pattern": "hello", "type": "markdown" }), &root).await;
    assert_eq!(out.content, lines(&root, &["README.md"]));
    let out = call(BuiltinTool::Grep, json!({ "pattern": "nowhere" }), &root).await;
    assert_eq!(out.content, "No files found");
}

#[tokio::test]
async fn grep_content_mode_with_line_numbers_and_context() {
    let (_dir, root) = project();
    let lib = root.join("src/lib.rs").display().to_string();
    let input = json!({ "pattern": "hello", "output_mode": "content", "-i": true, "path": "src/lib.rs" });
    let out = call(BuiltinTool::Grep, input, &root).await;
    assert_eq!(out.content, format!("{lib}:1:pub fn hello() {{}}\n{lib}:2:// HELLO world"));

    let input = json!({ "pattern": "world", "output_mode": "content", "-C": 1, "path": "src", "-n": true });
    let out = call(BuiltinTool::Grep, input, &root).await;
    assert_eq!(out.content, format!("{lib}-1-pub fn hello() {{}}\n{lib}:2:// HELLO world\n{lib}-3-fn other() {{}}"));

    let input = json!({ "pattern": "^fn", "output_mode": "content", "-n": false, "-A": 0 });
    let out = call(BuiltinTool::Grep, input, &root).await;
    let main = root.join("src/main.rs").display().to_string();
    assert_eq!(out.content, format!("{lib}:fn other() {{}}\n{main}:fn main() {{"));
}

#[tokio::test]
async fn grep_count_mode_and_head_limit() {
    let (_dir, root) = project();
    let out = call(BuiltinTool::Grep, json!({ "pattern": "hello", "-i": true, "output_mode": "count" }), &root).await;
    let expected = format!(
        "{}:1\n{}:2\n{}:1",
        root.join("README.md").display(),
        root.join("src/lib.rs").display(),
        root.join("src/main.rs").display()
    );
    assert_eq!(out.content, expected);
    let out =
        call(BuiltinTool::Grep, json!({ "pattern": "hello", "-i": true, "head_limit": 1, "offset": 1 }), &root).await;
    let shown: Vec<&str> = out.content.lines().collect();
    assert_eq!(shown[0], root.join("src/lib.rs").display().to_string());
    assert!(shown[1].contains("offset=2"), "{}", out.content);
    let out = call(BuiltinTool::Grep, json!({ "pattern": "x", "output_mode": "lines" }), &root).await;
    assert!(out.is_error && out.content.contains("`output_mode`"));
}

#[tokio::test]
async fn ls_lists_a_tree_without_ignored_entries() {
    let (_dir, root) = project();
    let out = call(BuiltinTool::LS, json!({ "path": root }), &root).await;
    let expected =
        format!("- {}/\n  - .gitignore\n  - README.md\n  - src/\n    - lib.rs\n    - main.rs", root.display());
    assert_eq!(out.content, expected);
    let out = call(BuiltinTool::LS, json!({ "path": ".", "ignore": ["*.md", "src/lib.rs"] }), &root).await;
    let expected = format!("- {}/\n  - .gitignore\n  - src/\n    - main.rs", root.display());
    assert_eq!(out.content, expected);
    let out = call(BuiltinTool::LS, json!({ "path": "README.md" }), &root).await;
    assert!(out.is_error && out.content.contains("not a directory"), "{}", out.content);
    let out = call(BuiltinTool::LS, json!({ "path": "src", "ignore": "*.rs" }), &root).await;
    assert!(out.is_error && out.content.contains("`ignore`"), "{}", out.content);
}
