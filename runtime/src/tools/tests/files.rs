//! Read, Write and Edit against real files.

use serde_json::json;

use super::{call, put, temp};
use crate::tools::BuiltinTool;

#[tokio::test]
async fn read_numbers_lines_and_pages() {
    let (_dir, cwd) = temp();
    let file = put(&cwd, "a.txt", "one\ntwo\r\nthree\nfour\n");
    let out = call(BuiltinTool::Read, json!({ "file_path": file }), &cwd).await;
    assert_eq!(out.content, "     1\tone\n     2\ttwo\n     3\tthree\n     4\tfour");
    assert!(!out.is_error);

    let out = call(BuiltinTool::Read, json!({ "file_path": "a.txt", "offset": 2, "limit": 2 }), &cwd).await;
    assert_eq!(
        out.content,
        "     2\ttwo\n     3\tthree\n\n[Showing lines 2-3 of 4; use offset and limit to read more]"
    );
    let out = call(BuiltinTool::Read, json!({ "file_path": "a.txt", "offset": 9 }), &cwd).await;
    assert!(out.is_error && out.content.contains("`offset`") && out.content.contains("4 lines"), "{}", out.content);
}

#[tokio::test]
async fn read_defaults_to_2000_lines_and_cuts_long_lines() {
    let (_dir, cwd) = temp();
    let text: String = (1..=2500).map(|n| format!("{n}\n")).collect();
    put(&cwd, "long.txt", &text);
    let out = call(BuiltinTool::Read, json!({ "file_path": "long.txt" }), &cwd).await;
    assert!(
        out.content.contains("  2000\t2000\n\n[Showing lines 1-2000 of 2500"),
        "{}",
        &out.content[out.content.len() - 120..]
    );
    assert!(!out.content.contains("\t2001"));

    put(&cwd, "wide.txt", &"x".repeat(2500));
    let out = call(BuiltinTool::Read, json!({ "file_path": "wide.txt" }), &cwd).await;
    assert_eq!(out.content, format!("     1\t{}… [line cut: 2500 characters]", "x".repeat(2000)));
}

#[tokio::test]
async fn read_refuses_binary_and_directories_and_says_empty() {
    let (_dir, cwd) = temp();
    std::fs::write(cwd.join("bin"), b"ELF\0\x01\x02").unwrap();
    std::fs::write(cwd.join("latin1"), b"caf\xe9 au lait\n").unwrap();
    std::fs::create_dir(cwd.join("sub")).unwrap();
    put(&cwd, "empty.txt", "");
    for (name, needle) in [("bin", "binary"), ("latin1", "binary"), ("sub", "directory"), ("missing", "does not exist")]
    {
        let out = call(BuiltinTool::Read, json!({ "file_path": name }), &cwd).await;
        assert!(out.is_error && out.content.contains(needle), "{name}: {}", out.content);
    }
    let out = call(BuiltinTool::Read, json!({ "file_path": "empty.txt" }), &cwd).await;
    assert!(!out.is_error && out.content.contains("is empty"), "{}", out.content);
}

#[tokio::test]
async fn write_creates_parents_and_overwrites() {
    let (_dir, cwd) = temp();
    let out = call(BuiltinTool::Write, json!({ "file_path": "deep/er/new.txt", "content": "a\nb\n" }), &cwd).await;
    assert_eq!(out.content, format!("Created {} (2 lines, 4 bytes)", cwd.join("deep/er/new.txt").display()));
    let out = call(BuiltinTool::Write, json!({ "file_path": cwd.join("deep/er/new.txt"), "content": "c" }), &cwd).await;
    assert!(out.content.starts_with("Overwrote "), "{}", out.content);
    assert_eq!(std::fs::read_to_string(cwd.join("deep/er/new.txt")).unwrap(), "c");
    let out = call(BuiltinTool::Write, json!({ "file_path": "x.txt" }), &cwd).await;
    assert!(out.is_error && out.content.contains("`content`"), "{}", out.content);
}

#[tokio::test]
async fn edit_replaces_a_unique_string() {
    let (_dir, cwd) = temp();
    let file = put(&cwd, "code.rs", "fn a() {}\nfn b() {}\n");
    let out =
        call(BuiltinTool::Edit, json!({ "file_path": file, "old_string": "fn b", "new_string": "fn c" }), &cwd).await;
    assert_eq!(out.content, format!("Replaced 1 occurrence in {}", file.display()));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "fn a() {}\nfn c() {}\n");
}

#[tokio::test]
async fn edit_refuses_a_non_unique_string_and_leaves_the_file_alone() {
    let (_dir, cwd) = temp();
    let file = put(&cwd, "code.rs", "x = 1\nx = 2\nx = 3\n");
    let before = std::fs::metadata(&file).unwrap().modified().unwrap();
    let out =
        call(BuiltinTool::Edit, json!({ "file_path": file, "old_string": "x =", "new_string": "y =" }), &cwd).await;
    assert!(out.is_error);
    assert!(out.content.contains("matches 3 times") && out.content.contains("replace_all"), "{}", out.content);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x = 1\nx = 2\nx = 3\n");
    assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), before);
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 1, "no temp file left behind");
}

#[tokio::test]
async fn edit_replace_all_reports_the_count() {
    let (_dir, cwd) = temp();
    let file = put(&cwd, "code.rs", "x = 1\nx = 2\nx = 3\n");
    let input = json!({ "file_path": "code.rs", "old_string": "x", "new_string": "y", "replace_all": true });
    let out = call(BuiltinTool::Edit, input, &cwd).await;
    assert_eq!(out.content, format!("Replaced 3 occurrences in {}", file.display()));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "y = 1\ny = 2\ny = 3\n");
}

#[tokio::test]
async fn edit_explains_every_refusal() {
    let (_dir, cwd) = temp();
    put(&cwd, "f.txt", "hello\n");
    let cases = [
        (json!({ "file_path": "f.txt", "old_string": "absent", "new_string": "x" }), "not found"),
        (json!({ "file_path": "f.txt", "old_string": "", "new_string": "x" }), "`old_string`"),
        (json!({ "file_path": "f.txt", "old_string": "hello", "new_string": "hello" }), "identical"),
        (json!({ "file_path": "nope.txt", "old_string": "a", "new_string": "b" }), "use Write"),
        (json!({ "file_path": "f.txt", "old_string": "a" }), "`new_string`"),
        (json!({ "file_path": "f.txt", "old_string": "h", "new_string": "j", "replace_all": "yes" }), "`replace_all`"),
    ];
    for (input, needle) in cases {
        let out = call(BuiltinTool::Edit, input.clone(), &cwd).await;
        assert!(out.is_error && out.content.contains(needle), "{input}: {}", out.content);
    }
    assert_eq!(std::fs::read_to_string(cwd.join("f.txt")).unwrap(), "hello\n");
}
