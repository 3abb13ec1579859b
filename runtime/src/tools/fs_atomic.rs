//! Atomic file replacement shared by Write, Edit and the settings writer: a reader
//! (or a crash) sees the old content or the new one, never half a file.

use std::fs::{File, Permissions};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::ToolError;

/// Mode for files we create; the process umask still applies (as for any new file).
const NEW_FILE_MODE: u32 = 0o666;

/// Replaces `path` with `data` atomically (temp file in the same dir, fsync, rename),
/// keeping an existing file's permissions.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<(), ToolError> {
    write_atomic_with(path, |file| file.write_all(data))
}

/// [`write_atomic`] with the content produced by `fill`; a failing `fill` leaves the
/// old file untouched and removes the temp file. Separate so tests can inject failure.
pub(crate) fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), ToolError> {
    let target = final_target(path);
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| ToolError::Failed(format!("{}: has no parent directory", target.display())))?;
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(ToolError::Failed(format!("{} is a directory", target.display())));
    }
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tether-tmp")
        .permissions(Permissions::from_mode(NEW_FILE_MODE))
        .tempfile_in(dir)
        .map_err(|e| ToolError::io(dir, e))?;
    let tmp_path = tmp.path().to_path_buf();
    let io = |e| ToolError::io(&tmp_path, e);
    fill(tmp.as_file_mut()).map_err(io)?;
    if let Some(meta) = &existing {
        tmp.as_file().set_permissions(meta.permissions()).map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(&target).map_err(|e| ToolError::io(&target, e.error))?;
    // Make the rename itself durable; a failure here does not undo the write.
    if let Ok(dir_file) = File::open(dir) {
        let _ = dir_file.sync_all();
    }
    Ok(())
}

/// Writing through a symlink replaces its target, not the link itself.
fn final_target(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_content_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("script.sh");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, Permissions::from_mode(0o750)).unwrap();
        write_atomic(&file, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o750);
        assert_eq!(entries(dir.path()), vec!["script.sh"]);
    }

    #[test]
    fn failing_write_leaves_old_content_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.txt");
        std::fs::write(&file, "precious").unwrap();
        let err = write_atomic_with(&file, |f| {
            f.write_all(b"half of the new")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
        assert_eq!(entries(dir.path()), vec!["data.txt"]);
    }

    #[test]
    fn refuses_a_directory_and_writes_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_atomic(dir.path(), b"x").is_err());
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "a").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"b").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "b");
    }
}
