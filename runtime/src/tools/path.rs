//! Where a path on the wire really points: resolved against the cwd, `..` folded
//! lexically, then judged by its real location so symlinks cannot sneak outside.

use std::path::{Component, Path, PathBuf};

/// Resolves `raw` (absolute, or relative to `cwd`) and folds `.`/`..` lexically, so
/// the tools and the permission check agree on one path without touching the disk.
pub fn resolve(cwd: &Path, raw: &str) -> PathBuf {
    let joined = if Path::new(raw).is_absolute() { PathBuf::from(raw) } else { cwd.join(raw) };
    normalize(&joined)
}

/// Folds `.` and `..` without following symlinks (`/a/../..` stays at `/`).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !matches!(out.components().next_back(), Some(Component::RootDir | Component::Prefix(_)) | None) {
                    out.pop();
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The real location of `path`: its longest existing ancestor canonicalized (symlinks
/// followed) with the not-yet-existing rest appended, so new files are judged too.
pub fn real_path(path: &Path) -> PathBuf {
    let path = normalize(path);
    let mut existing = path.as_path();
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            let mut out = real;
            out.extend(rest.iter().rev());
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            // Nothing exists (not even `/`): the lexical path is all we have.
            _ => return path,
        }
    }
}

/// Whether `path` really lies inside `dir` (or is `dir`), both judged by [`real_path`].
pub fn is_inside(path: &Path, dir: &Path) -> bool {
    real_path(path).starts_with(real_path(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_joins_and_folds_dots() {
        let cwd = Path::new("/work/project");
        assert_eq!(resolve(cwd, "src/./main.rs"), PathBuf::from("/work/project/src/main.rs"));
        assert_eq!(resolve(cwd, "../other/x"), PathBuf::from("/work/other/x"));
        assert_eq!(resolve(cwd, "/etc/../etc/passwd"), PathBuf::from("/etc/passwd"));
        assert_eq!(resolve(cwd, "/../../x"), PathBuf::from("/x"));
    }

    #[test]
    fn real_path_follows_symlinks_and_keeps_missing_tail() {
        let root = tempfile::tempdir().unwrap();
        let root_real = std::fs::canonicalize(root.path()).unwrap();
        let cwd = root_real.join("cwd");
        let outside = root_real.join("outside");
        std::fs::create_dir_all(&cwd).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, cwd.join("link")).unwrap();

        assert_eq!(real_path(&cwd.join("link/new/file.txt")), outside.join("new/file.txt"));
        assert!(!is_inside(&cwd.join("link/file.txt"), &cwd));
        assert!(!is_inside(&resolve(&cwd, "../outside/file.txt"), &cwd));
        assert!(is_inside(&resolve(&cwd, "sub/../new.txt"), &cwd));
        assert!(is_inside(&cwd, &cwd));
        // A sibling whose name starts with the cwd's name is not inside.
        assert!(!is_inside(&root_real.join("cwd2/x"), &cwd));
    }
}
