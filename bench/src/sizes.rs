//! Sizes users download: the release binary, the npm package's wasm gzipped, and the web
//! UI's total transfer gzipped. Gzip is the system `gzip -c` (level 6, what a web server
//! or npm's tarball uses by default).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;

use crate::report::Report;

/// Adds the size rows; a missing artifact is reported as missing, not an error.
pub fn run(binary: &Path, root: &Path, report: &mut Report) -> anyhow::Result<()> {
    let binary_size = std::fs::metadata(binary)?.len();
    report.value("size", "release binary `tether`", "MiB", binary_size as f64 / 1048576.0, binary.display().to_string());

    let wasm: Vec<PathBuf> = files(&root.join("pkg"))?.into_iter().filter(|p| p.extension().is_some_and(|e| e == "wasm")).collect();
    let (raw, gz) = totals(&wasm)?;
    report.value("size", "npm package wasm (pkg/*.wasm), gzipped", "KiB", gz as f64 / 1024.0, format!("{:.0} KiB raw", raw as f64 / 1024.0));

    let dist = files(&root.join("web").join("dist"))?;
    let (raw, gz) = totals(&dist)?;
    report.value("size", "web UI total transfer (web/dist), gzipped", "KiB", gz as f64 / 1024.0, format!("{} files, {:.0} KiB raw", dist.len(), raw as f64 / 1024.0));
    Ok(())
}

/// Every file under `dir`, recursively (empty when `dir` is missing).
fn files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(files(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

/// (raw bytes, gzipped bytes) summed over `paths`.
fn totals(paths: &[PathBuf]) -> anyhow::Result<(u64, u64)> {
    let mut raw = 0;
    let mut gz = 0;
    for path in paths {
        raw += std::fs::metadata(path)?.len();
        gz += gzip_len(path)?;
    }
    Ok((raw, gz))
}

fn gzip_len(path: &Path) -> anyhow::Result<u64> {
    let output = Command::new("gzip")
        .arg("-c")
        .arg(path)
        .stderr(Stdio::inherit())
        .output()
        .context("running gzip")?;
    Ok(output.stdout.len() as u64)
}
