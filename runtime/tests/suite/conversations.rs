//! `runtime_start` and the agent/conversation management commands.

use pretty_assertions::assert_eq;
use serde_json::json;

use super::harness::{of_type, Server};

#[tokio::test]
async fn runtime_start_creates_agent_and_conversation_and_replays_state() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (response, _) = client
        .request(json!({
            "type": "runtime_start",
            "request_id": "rs-1",
            "create_agent": { "body": { "name": "Ada", "model": "scripted", "system": "Be brief.",
                "memory_blocks": [{ "label": "persona", "value": "a careful engineer" }] } },
            "create_conversation": { "body": { "summary": "first chat" } },
            "mode": "acceptEdits",
            "client_info": { "name": "test-suite", "version": "1" },
        }))
        .await;
    assert_eq!(response["success"], true);
    assert_eq!(response["created"], json!({ "agent": true, "conversation": true }));
    let agent = &response["agent"];
    assert_eq!(agent["name"], "Ada");
    assert_eq!(agent["system"], "Be brief.");
    assert_eq!(agent["model"], "scripted");
    assert_eq!(agent["blocks"][0]["label"], "persona");
    let conversation = &response["conversation"];
    assert_eq!(conversation["summary"], "first chat");
    assert_eq!(conversation["agent_id"], agent["id"]);
    assert_eq!(response["runtime"], json!({ "agent_id": agent["id"], "conversation_id": conversation["id"] }));

    // The replay follows: device status (with the mode just set), loop status, queue.
    let replay = client.until(|f| f["type"] == "update_queue").await;
    let device = of_type(&replay, "update_device_status");
    let status = &device.last().expect("device status")["device_status"];
    assert_eq!(status["current_permission_mode"], "acceptEdits");
    assert_eq!(status["is_processing"], false);
    let loop_status = of_type(&replay, "update_loop_status");
    assert_eq!(loop_status[0]["loop_status"]["status"], "WAITING_ON_INPUT");
    for frame in &replay {
        assert_eq!(frame["runtime"]["conversation_id"], conversation["id"]);
        assert!(frame["event_seq"].as_u64().is_some(), "{frame}");
    }
    let seqs: Vec<u64> = replay.iter().filter_map(|f| f["event_seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "event_seq not increasing: {seqs:?}");
}

#[tokio::test]
async fn runtime_start_resumes_an_existing_conversation() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    let mut other = server.connect().await;
    let (response, _) = other
        .request(json!({ "type": "runtime_start", "request_id": "rs-2", "agent_id": agent_id, "conversation_id": conversation_id }))
        .await;
    assert_eq!(response["success"], true);
    assert_eq!(response["created"], json!({ "agent": false, "conversation": false }));
    assert_eq!(response["conversation"]["id"], conversation_id.as_str());
}

#[tokio::test]
async fn runtime_start_with_unknown_ids_fails_cleanly() {
    let server = Server::start();
    let mut client = server.connect().await;
    for (request_id, frame) in [
        ("a", json!({ "agent_id": "agent-nope" })),
        ("b", json!({ "conversation_id": "conv-nope" })),
        ("c", json!({})),
        ("d", json!({ "create_agent": { "body": {} }, "cwd": "/definitely/not/here" })),
    ] {
        let mut frame = frame;
        frame["type"] = json!("runtime_start");
        frame["request_id"] = json!(request_id);
        let (response, _) = client.request(frame).await;
        assert_eq!(response["type"], "runtime_start_response");
        assert_eq!(response["success"], false, "{response}");
        assert!(response["error"].as_str().is_some_and(|e| !e.is_empty()), "{response}");
    }
    // Nothing was created by the failed starts.
    let (list, _) = client.request(json!({ "type": "agent_list", "request_id": "l" })).await;
    assert_eq!(list["agents"], json!([]));
}

#[tokio::test]
async fn agents_can_be_created_listed_retrieved_updated_and_deleted() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (created, _) = client
        .request(json!({ "type": "agent_create", "request_id": "c", "body": { "name": "Bob", "model": "scripted" } }))
        .await;
    assert_eq!(created["success"], true);
    let id = created["agent"]["id"].as_str().expect("id").to_owned();

    let (list, _) = client.request(json!({ "type": "agent_list", "request_id": "l" })).await;
    assert_eq!(list["agents"].as_array().map(Vec::len), Some(1));

    let (updated, _) = client
        .request(json!({ "type": "agent_update", "request_id": "u", "agent_id": id, "body": { "name": "Robert" } }))
        .await;
    assert_eq!(updated["agent"]["name"], "Robert");

    let (got, _) = client.request(json!({ "type": "agent_retrieve", "request_id": "r", "agent_id": id })).await;
    assert_eq!(got["agent"]["name"], "Robert");

    let (conv, _) = client
        .request(json!({ "type": "conversation_create", "request_id": "cc", "body": { "agent_id": id, "summary": "s" } }))
        .await;
    assert_eq!(conv["success"], true);
    let (convs, _) = client
        .request(json!({ "type": "conversation_list", "request_id": "cl", "query": { "agent_id": id } }))
        .await;
    assert_eq!(convs["conversations"].as_array().map(Vec::len), Some(1));
    let conv_id = conv["conversation"]["id"].clone();
    let (got, _) = client
        .request(json!({ "type": "conversation_retrieve", "request_id": "cr", "conversation_id": conv_id }))
        .await;
    assert_eq!(got["conversation"]["summary"], "s");

    let (deleted, _) = client.request(json!({ "type": "agent_delete", "request_id": "d", "agent_id": id })).await;
    assert_eq!(deleted["success"], true);
    let (got, _) = client.request(json!({ "type": "agent_retrieve", "request_id": "r2", "agent_id": id })).await;
    assert_eq!(got["success"], false);
    let (got, _) = client
        .request(json!({ "type": "conversation_retrieve", "request_id": "cr2", "conversation_id": conv_id }))
        .await;
    assert_eq!(got["success"], false, "conversations go with their agent");
}

/// Commands reach a running conversation without reading the store, but not once its
/// agent (and with it the conversation) has been deleted, nor under another agent.
#[tokio::test]
async fn a_running_conversation_is_addressed_by_its_agent_only_and_not_after_the_agent_is_deleted() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    let scope = json!({ "agent_id": agent_id, "conversation_id": conversation_id });
    let (synced, _) = client.request(json!({ "type": "sync", "request_id": "s1", "runtime": scope })).await;
    assert_eq!(synced["success"], true, "{synced}");
    let wrong = json!({ "agent_id": "agent-someone-else", "conversation_id": conversation_id });
    let (refused, _) = client.request(json!({ "type": "sync", "request_id": "s2", "runtime": wrong })).await;
    assert_eq!(refused["success"], false, "{refused}");
    assert!(refused["error"].as_str().unwrap_or("").contains("belongs to agent"), "{refused}");

    let (deleted, _) = client.request(json!({ "type": "agent_delete", "request_id": "d", "agent_id": agent_id })).await;
    assert_eq!(deleted["success"], true);
    let (gone, _) = client.request(json!({ "type": "sync", "request_id": "s3", "runtime": scope })).await;
    assert_eq!(gone["success"], false, "{gone}");
    assert!(gone["error"].as_str().unwrap_or("").contains("unknown conversation"), "{gone}");
}

#[tokio::test]
async fn change_device_state_sets_mode_and_cwd_and_rejects_missing_dirs() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    let dir = tempfile::tempdir().expect("dir");
    let real = std::fs::canonicalize(dir.path()).expect("canonical");
    let runtime = json!({ "agent_id": agent_id, "conversation_id": conversation_id });
    client
        .send(json!({ "type": "change_device_state", "runtime": runtime,
            "payload": { "mode": "strict", "cwd": dir.path() } }))
        .await;
    let frames = client
        .until(|f| {
            f["type"] == "update_device_status" && f["device_status"]["current_permission_mode"] == "strict"
        })
        .await;
    let status = &frames.last().expect("status")["device_status"];
    assert_eq!(status["current_working_directory"], real.display().to_string());
    assert_eq!(status["git_context"], serde_json::Value::Null, "a temp dir is not a git repo");

    client
        .send(json!({ "type": "change_device_state", "runtime": runtime, "payload": { "cwd": "/no/such/dir" } }))
        .await;
    let error = client.until(|f| f["type"] == "error").await;
    let error = error.last().expect("error");
    assert_eq!(error["code"], "invalid_cwd");
    assert!(error["message"].as_str().unwrap_or("").contains("/no/such/dir"));
}

#[tokio::test]
async fn unsupported_commands_get_typed_errors_echoing_the_request_id() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (response, _) = client.request(json!({ "type": "cron_list", "request_id": "cron-1" })).await;
    assert_eq!(response["type"], "cron_list_response");
    assert_eq!(response["success"], false);
    assert_eq!(response["error"], "unsupported command: cron_list");
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git")
        .status;
    assert!(status.success(), "git {args:?}");
}

#[tokio::test]
async fn device_status_carries_the_git_branch_and_follows_a_checkout() {
    let server = Server::start();
    let repo = server.workspace.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "first"]);
    git(&repo, &["branch", "feature"]);
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({ "cwd": repo, "mode": "unrestricted" })).await;
    let frames = client.until(|f| f["type"] == "update_device_status" && !f["device_status"]["git_context"].is_null()).await;
    let git_context = &frames.last().expect("status")["device_status"]["git_context"];
    assert_eq!(git_context["branch"], "main");
    assert_eq!(git_context["recent_branches"], json!(["feature"]));

    client.say(&agent_id, &conversation_id, "in", r#"tool: Bash {"command":"git checkout -q -b switched"}"#).await;
    let frames = client.until(|f| f["type"] == "update_device_status" && f["device_status"]["git_context"]["branch"] == "switched").await;
    let git_context = &frames.last().expect("status")["device_status"]["git_context"];
    assert_eq!(git_context["recent_branches"].as_array().map(Vec::len), Some(2));
}
