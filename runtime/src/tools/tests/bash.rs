//! Bash: exit codes, cwd, interleaving, streaming, truncation, timeout and cancel
//! killing the whole process group.

use std::path::Path;
use std::time::Duration;

use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::{call, temp};
use crate::tools::{BuiltinTool, ToolContext, run};

/// Upper bound for a call that must return promptly; only guards against hangs.
const HANG_GUARD: Duration = Duration::from_secs(20);

/// Pids in process group `pgid` that are still alive (zombies awaiting reaping don't count).
fn live_members(pgid: i32) -> Vec<i32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let Some((_, after)) = stat.rsplit_once(')') else { continue };
        let fields: Vec<&str> = after.split_whitespace().collect();
        if fields.get(2) == Some(&pgid.to_string().as_str()) && !matches!(fields[0], "Z" | "X") {
            pids.push(pid);
        }
    }
    pids
}

/// Waits (briefly) for the group to have no live member; signal delivery is asynchronous.
async fn assert_group_gone(pgid: i32) {
    for _ in 0..40 {
        if live_members(pgid).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("process group {pgid} still has live members: {:?}", live_members(pgid));
}

fn read_pid(file: &Path) -> i32 {
    std::fs::read_to_string(file).unwrap().trim().parse().unwrap()
}

#[tokio::test]
async fn reports_exit_code_and_runs_in_cwd() {
    let (_dir, cwd) = temp();
    let out = call(BuiltinTool::Bash, json!({ "command": "pwd; exit 3" }), &cwd).await;
    assert_eq!(out.content, format!("{}\nExit code: 3", cwd.display()));
    assert!(out.is_error);

    let out = call(BuiltinTool::Bash, json!({ "command": "true", "description": "nothing" }), &cwd).await;
    assert_eq!(out.content, "(no output)\nExit code: 0");
    assert!(!out.is_error);
}

#[tokio::test]
async fn interleaves_stdout_and_stderr_in_order() {
    let (_dir, cwd) = temp();
    let out = call(BuiltinTool::Bash, json!({ "command": "echo out; echo err >&2; echo out2" }), &cwd).await;
    assert_eq!(out.content, "out\nerr\nout2\nExit code: 0");
}

#[tokio::test]
async fn streams_chunks_while_running() {
    let (_dir, cwd) = temp();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let ctx = ToolContext { cwd, cancel: CancellationToken::new(), output: Some(tx) };
    let task = tokio::spawn(async move {
        run(BuiltinTool::Bash, &json!({ "command": "echo one; sleep 1; echo two" }), &ctx).await
    });
    let first = tokio::time::timeout(HANG_GUARD, rx.recv()).await.unwrap().unwrap();
    assert_eq!(first, "one\n");
    assert!(!task.is_finished(), "the first chunk must arrive while the command still runs");
    let out = tokio::time::timeout(HANG_GUARD, task).await.unwrap().unwrap();
    assert_eq!(out.content, "one\ntwo\nExit code: 0");
    let mut rest = String::new();
    while let Ok(chunk) = rx.try_recv() {
        rest.push_str(&chunk);
    }
    assert_eq!(rest, "two\n");
}

#[tokio::test]
async fn truncates_long_output_keeping_head_and_tail() {
    let (_dir, cwd) = temp();
    let out = call(BuiltinTool::Bash, json!({ "command": "seq 1 30000" }), &cwd).await;
    assert!(!out.is_error);
    assert!(out.content.starts_with("1\n2\n3\n"), "{}", &out.content[..20]);
    assert!(out.content.ends_with("29999\n30000\nExit code: 0"));
    assert!(out.content.contains("output truncated:") && out.content.contains("characters omitted"));
    assert!(out.content.len() < 31_000, "{}", out.content.len());
}

#[tokio::test]
async fn timeout_kills_the_whole_group_even_when_term_is_ignored() {
    let (_dir, cwd) = temp();
    let command = "echo $$ > shell.pid; trap '' TERM; (trap '' TERM; sleep 30) & sleep 30";
    let out =
        tokio::time::timeout(HANG_GUARD, call(BuiltinTool::Bash, json!({ "command": command, "timeout": 500 }), &cwd))
            .await
            .expect("Bash must return after its timeout");
    assert!(out.is_error);
    assert!(out.content.contains("timed out after 500 ms"), "{}", out.content);
    assert_group_gone(read_pid(&cwd.join("shell.pid"))).await;
}

#[tokio::test]
async fn cancel_token_kills_the_group() {
    let (_dir, cwd) = temp();
    let ctx = ToolContext::new(&cwd);
    let cancel = ctx.cancel.clone();
    let task = tokio::spawn(async move {
        run(BuiltinTool::Bash, &json!({ "command": "echo $$ > shell.pid; sleep 30 & sleep 30" }), &ctx).await
    });
    let pid_file = cwd.join("shell.pid");
    while !pid_file.exists() || std::fs::read_to_string(&pid_file).unwrap().trim().is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cancel.cancel();
    let out = tokio::time::timeout(HANG_GUARD, task).await.expect("cancel must end the call").unwrap();
    assert!(out.is_error && out.content.contains("cancelled"), "{}", out.content);
    assert_group_gone(read_pid(&pid_file)).await;
}

#[tokio::test]
async fn does_not_wait_for_a_detached_grandchild_holding_the_pipe() {
    let (_dir, cwd) = temp();
    let command = "setsid sh -c 'echo $$ > gc.pid; exec sleep 60' & sleep 0.2; echo done";
    let out = tokio::time::timeout(HANG_GUARD, call(BuiltinTool::Bash, json!({ "command": command }), &cwd))
        .await
        .expect("Bash must not wait for the detached grandchild");
    assert_eq!(out.content, "done\nExit code: 0");
    let grandchild = nix::unistd::Pid::from_raw(read_pid(&cwd.join("gc.pid")));
    let _ = nix::sys::signal::kill(grandchild, nix::sys::signal::Signal::SIGKILL);
}

#[tokio::test]
async fn background_jobs_are_ended_with_the_command() {
    let (_dir, cwd) = temp();
    let out = tokio::time::timeout(
        HANG_GUARD,
        call(BuiltinTool::Bash, json!({ "command": "echo $$ > shell.pid; sleep 30 & echo started" }), &cwd),
    )
    .await
    .unwrap();
    assert_eq!(out.content, "started\nExit code: 0");
    assert_group_gone(read_pid(&cwd.join("shell.pid"))).await;
}

#[tokio::test]
async fn rejects_bad_arguments() {
    let (_dir, cwd) = temp();
    let out = call(BuiltinTool::Bash, json!({}), &cwd).await;
    assert!(out.is_error && out.content.contains("`command`"), "{}", out.content);
    let out = call(BuiltinTool::Bash, json!({ "command": "true", "timeout": "soon" }), &cwd).await;
    assert!(out.is_error && out.content.contains("`timeout`"), "{}", out.content);
    let out = call(BuiltinTool::Bash, json!({ "command": "true", "timeout": 0 }), &cwd).await;
    assert!(out.is_error && out.content.contains("`timeout`"), "{}", out.content);
}
