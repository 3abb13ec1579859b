//! Diff previews: exact hunks for a small edit, new files, binary and huge files.

use pretty_assertions::assert_eq;
use serde_json::json;
use tether_protocol::approval::{DiffHunk, DiffHunkLine, DiffLineKind, DiffPreview};

use super::{put, temp};
use crate::tools::BuiltinTool;
use crate::tools::diff::{preview_edit, preview_for, preview_write};

fn line(kind: DiffLineKind, content: &str) -> DiffHunkLine {
    DiffHunkLine { kind, content: content.to_owned() }
}

#[test]
fn small_edit_gives_one_exact_hunk() {
    let (_dir, root) = temp();
    let text: String = (1..=10).map(|n| format!("line{n}\n")).collect();
    let file = put(&root, "f.txt", &text);
    let preview = preview_edit(&file, "line5\n", "LINE5\nline5b\n", false);
    use DiffLineKind::{Add, Context, Remove};
    let expected = DiffPreview::Advanced {
        file_name: file.display().to_string(),
        hunks: vec![DiffHunk {
            old_start: 2,
            old_lines: 7,
            new_start: 2,
            new_lines: 8,
            lines: vec![
                line(Context, "line2"),
                line(Context, "line3"),
                line(Context, "line4"),
                line(Remove, "line5"),
                line(Add, "LINE5"),
                line(Add, "line5b"),
                line(Context, "line6"),
                line(Context, "line7"),
                line(Context, "line8"),
            ],
        }],
    };
    assert_eq!(preview, expected);
    assert_eq!(
        preview_for(
            BuiltinTool::Edit,
            &json!({ "file_path": "f.txt", "old_string": "line5\n", "new_string": "LINE5\nline5b\n" }),
            &root
        ),
        Some(expected)
    );
    // Previewing changes nothing.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn a_new_file_is_all_additions() {
    let (_dir, root) = temp();
    let file = root.join("new.txt");
    let preview = preview_write(&file, "a\nb\n");
    let expected = DiffPreview::Advanced {
        file_name: file.display().to_string(),
        hunks: vec![DiffHunk {
            old_start: 0,
            old_lines: 0,
            new_start: 1,
            new_lines: 2,
            lines: vec![line(DiffLineKind::Add, "a"), line(DiffLineKind::Add, "b")],
        }],
    };
    assert_eq!(preview, expected);
    assert_eq!(
        preview_for(BuiltinTool::Write, &json!({ "file_path": "new.txt", "content": "a\nb\n" }), &root),
        Some(expected)
    );
    assert_eq!(preview_for(BuiltinTool::Bash, &json!({ "command": "ls" }), &root), None);
    assert_eq!(preview_for(BuiltinTool::Write, &json!({ "file_path": "x" }), &root), None);
}

#[test]
fn overwriting_shows_removals_and_additions() {
    let (_dir, root) = temp();
    let file = put(&root, "f.txt", "keep\nold\n");
    let DiffPreview::Advanced { hunks, .. } = preview_write(&file, "keep\nnew\n") else { panic!() };
    assert_eq!((hunks[0].old_start, hunks[0].old_lines, hunks[0].new_start, hunks[0].new_lines), (1, 2, 1, 2));
    let DiffPreview::Advanced { hunks, .. } = preview_write(&file, "keep\nold\n") else { panic!() };
    assert!(hunks.is_empty());
}

#[test]
fn binary_huge_and_failing_edits_are_not_diffed() {
    let (_dir, root) = temp();
    let bin = root.join("img.png");
    std::fs::write(&bin, b"\x89PNG\0\0").unwrap();
    assert!(matches!(preview_write(&bin, "text"), DiffPreview::Unpreviewable { .. }));
    assert!(matches!(preview_write(&root.join("n"), "a\0b"), DiffPreview::Unpreviewable { .. }));

    let big = put(&root, "big.txt", &"x".repeat(2 << 20));
    let DiffPreview::Fallback { reason, file_name } = preview_write(&big, "small") else { panic!() };
    assert!(reason.contains("too large") && file_name == big.display().to_string(), "{reason}");
    let many = put(&root, "many.txt", &"x\n".repeat(25_000));
    assert!(matches!(preview_edit(&many, "x\n", "y\n", true), DiffPreview::Fallback { .. }));

    let small = put(&root, "s.txt", "a a\n");
    let DiffPreview::Fallback { reason, .. } = preview_edit(&small, "a", "b", false) else { panic!() };
    assert!(reason.contains("matches 2 times"), "{reason}");
    let DiffPreview::Fallback { reason, .. } = preview_edit(&root.join("missing"), "a", "b", false) else { panic!() };
    assert!(reason.contains("does not exist"), "{reason}");
}
