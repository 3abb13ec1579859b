//! Attacks on a real runtime over real sockets, each expected to fail cleanly with the
//! right status; TLS on loopback, with the client pinning the generated certificate.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use futures_util::SinkExt;
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use tether::server::localclient;

use super::harness::TOKEN;
use super::lan::{assert_alive, bearer, close_code, header, refused, Lan, WAIT};

#[tokio::test]
async fn tls_listener_announces_wss_and_keeps_a_private_key() {
    let lan = Lan::start(&[]);
    assert!(lan.first_line.starts_with("Listening on wss://127.0.0.1:"), "{}", lan.first_line);
    use std::os::unix::fs::PermissionsExt;
    let key = std::fs::metadata(lan.data_dir.path().join("tls/key.pem")).expect("key.pem");
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
    let dir = std::fs::metadata(lan.data_dir.path().join("tls")).expect("tls dir");
    assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    let server_file = std::fs::metadata(lan.data_dir.path().join("server.json")).expect("server.json");
    assert_eq!(server_file.permissions().mode() & 0o777, 0o600);
    // The fingerprint in server.json is the certificate's.
    let pem = std::fs::read_to_string(lan.data_dir.path().join("tls/cert.pem")).expect("cert");
    assert!(pem.contains("BEGIN CERTIFICATE"));
    assert_eq!(lan.server.fingerprint.as_deref().map(str::len), Some(32 * 3 - 1));
}

#[tokio::test]
async fn no_credential_wrong_token_and_query_token_are_refused() {
    let lan = Lan::start(&[]);
    let (status, body) = refused(lan.ws([127, 0, 0, 1], "/ws", &[]).await);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("missing credential"), "{body}");
    let (status, body) = refused(lan.ws([127, 0, 0, 1], "/ws", &[("Authorization", "Bearer wrong-token".into())]).await);
    assert_eq!(status, 401);
    assert!(body.contains("invalid token"), "{body}");
    assert!(!body.contains(TOKEN));
    let (status, _) = refused(lan.ws([127, 0, 0, 1], &format!("/ws?token={TOKEN}"), &[]).await);
    assert_eq!(status, 401, "a token in the query string must not authenticate");
    let (status, _) = refused(lan.ws([127, 0, 0, 1], &format!("/?token={TOKEN}&channel=control"), &[]).await);
    assert_eq!(status, 401);
    // The real token works.
    let mut ws = lan.ws([127, 0, 0, 1], "/ws", &[bearer()]).await.expect("bearer works");
    assert_alive(&mut ws).await;
}

#[tokio::test]
async fn pairing_code_works_once_and_its_cookie_opens_the_socket() {
    let lan = Lan::start(&[]);
    let code = lan.pair_code().await;
    let (status, cookie) = lan.redeem(&code).await;
    assert_eq!(status, 200);
    let cookie = cookie.expect("cookie").split(';').next().expect("pair").to_owned();
    let (status, _) = lan.redeem(&code).await;
    assert_eq!(status, 401, "a used code must fail");
    let logs = lan.data_dir.path().join("logs/remote");
    for entry in std::fs::read_dir(&logs).expect("log dir").filter_map(Result::ok) {
        let text = std::fs::read_to_string(entry.path()).expect("log");
        assert!(!text.contains(&code) && !text.contains(TOKEN), "no secret in the log");
    }
    let (status, _) = lan.redeem("0123456789abcdef0123456789abcdef").await;
    assert_eq!(status, 401, "an unknown code must fail");
    let mut ws = lan.ws([127, 0, 0, 1], "/ws", &[("Cookie", cookie), ("Origin", lan.own_origin())]).await.expect("cookie works");
    assert_alive(&mut ws).await;
}

#[tokio::test]
async fn an_expired_pairing_code_is_refused() {
    let lan = Lan::start(&[]);
    let code = lan.pair_code().await;
    let (status, body) = localclient::call(&lan.server, "POST", "/test/clock", TOKEN, &json!({ "advance_secs": 301 }).to_string())
        .await
        .expect("clock");
    assert_eq!(status, 200, "{body}");
    let (status, cookie) = lan.redeem(&code).await;
    assert_eq!(status, 401);
    assert!(cookie.is_none());
    // A fresh code issued after the jump still works.
    let fresh = lan.pair_code().await;
    assert_eq!(lan.redeem(&fresh).await.0, 200);
}

#[tokio::test]
async fn the_test_clock_does_not_exist_without_the_test_hooks_variable() {
    let data_dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tether"))
        .args(["app-server", "--listen", "wss://127.0.0.1:0", "--token", TOKEN, "--data-dir"])
        .arg(data_dir.path())
        .env_remove("TETHER_TEST_HOOKS")
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("line");
    std::thread::spawn(move || for _ in reader.lines() {});
    let mut server = None;
    for _ in 0..200 {
        if let Ok(file) = localclient::read_server_file(data_dir.path()) {
            server = Some(file);
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let server = server.expect("server file");
    let (status, _) = localclient::call(&server, "POST", "/test/clock", TOKEN, "{\"advance_secs\":301}").await.expect("call");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 404);
}

#[tokio::test]
async fn revoking_a_device_closes_its_socket_at_once_and_its_cookie_stops_working() {
    let lan = Lan::start(&[]);
    let cookie = lan.paired_cookie().await;
    let headers = [("Cookie", cookie.clone()), ("Origin", lan.own_origin())];
    let mut open = lan.ws([127, 0, 0, 1], "/ws", &headers).await.expect("paired socket");
    assert_alive(&mut open).await;
    let store = tether::store::Store::open_in(lan.data_dir.path()).expect("store");
    let devices = store.list_devices().expect("list");
    assert_eq!(devices.len(), 1);
    let id = devices[0].id.clone();

    // Through the CLI, as a user would.
    let output = Command::new(env!("CARGO_BIN_EXE_tether"))
        .args(["devices", "revoke", &id, "--token", TOKEN, "--data-dir"])
        .arg(lan.data_dir.path())
        .output()
        .expect("tether devices revoke");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("closed 1 open socket"), "{}", String::from_utf8_lossy(&output.stdout));
    assert_eq!(close_code(&mut open).await, Some(4401));

    let (status, body) = refused(lan.ws([127, 0, 0, 1], "/ws", &headers).await);
    assert_eq!(status, 401);
    assert!(body.contains("revoked"), "{body}");

    let listing = Command::new(env!("CARGO_BIN_EXE_tether")).args(["devices", "--data-dir"]).arg(lan.data_dir.path()).output().expect("list");
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    let row = listing.lines().find(|l| l.contains(&id)).unwrap_or_else(|| panic!("{listing}"));
    assert!(!row.trim_end().ends_with('-'), "revoked time shown: {row}");
}

#[tokio::test]
async fn cookies_are_refused_cross_origin_and_null_origin_is_refused() {
    let lan = Lan::start(&[]);
    let cookie = lan.paired_cookie().await;
    let (status, _) = refused(lan.ws([127, 0, 0, 1], "/ws", &[("Cookie", cookie.clone()), ("Origin", "https://evil.example".into())]).await);
    assert_eq!(status, 403);
    let (status, _) = refused(lan.ws([127, 0, 0, 1], "/ws", &[("Cookie", cookie.clone()), ("Origin", "null".into())]).await);
    assert_eq!(status, 403);
    let (status, _) = refused(lan.ws([127, 0, 0, 1], "/ws", &[bearer(), ("Origin", "null".into())]).await);
    assert_eq!(status, 403, "Origin: null is refused even with the token");
    // A rebinding name that points at us is not our origin.
    let rebound = [("Cookie", cookie.clone()), ("Origin", format!("https://evil.example:{}", lan.port())), ("Host", format!("evil.example:{}", lan.port()))];
    let (status, _) = refused(lan.ws([127, 0, 0, 1], "/ws", &rebound).await);
    assert_eq!(status, 403);
    // A native client (no Origin) cannot ride on a cookie alone either: it is not same-origin.
    let (status, _) = refused(lan.ws([127, 0, 0, 1], "/ws", &[("Cookie", cookie.clone())]).await);
    assert_eq!(status, 401);
    // Pairing from a foreign page is refused before the code is looked at.
    let code = lan.pair_code().await;
    let (status, _, _) = lan
        .https([127, 0, 0, 1], "POST", "/auth/pair", &[("Origin", "https://evil.example".into())], &json!({ "code": code }).to_string())
        .await;
    assert_eq!(status, 403);
    assert_eq!(lan.redeem(&code).await.0, 200, "the refused attempt did not burn the code");
}

#[tokio::test]
async fn a_thousand_wrong_tokens_are_throttled_and_the_right_token_works_from_elsewhere() {
    // Closed attempts may linger a moment server-side; this test is about throttling, not
    // the connection cap.
    let lan = Lan::start(&["--max-conns-per-ip", "2000"]);
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let mut retry_after = None;
    let mut first_eleven = Vec::new();
    for i in 0..1000 {
        let result = lan.ws([127, 0, 0, 1], "/ws", &[("Authorization", format!("Bearer wrong-{i}"))]).await;
        let Err(WsError::Http(response)) = result else { panic!("attempt {i} was not refused over HTTP") };
        let status = response.status().as_u16();
        if i < 11 {
            first_eleven.push(status);
        }
        *statuses.entry(status).or_default() += 1;
        if status == 429 && retry_after.is_none() {
            retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        }
    }
    // Ten failures are allowed, then the address is throttled; the bucket refills at
    // ten a minute, so a few more 401s may slip in over a slow run, never many.
    assert_eq!(first_eleven, [vec![401; 10], vec![429]].concat());
    assert_eq!(statuses.keys().copied().collect::<Vec<_>>(), vec![401, 429], "{statuses:?}");
    assert!(statuses[&429] >= 900, "{statuses:?}");
    let secs: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
    assert!((1..=60).contains(&secs));
    // Another address is not affected.
    let mut ws = lan.ws([127, 0, 0, 2], "/ws", &[bearer()]).await.expect("right token from 127.0.0.2");
    assert_alive(&mut ws).await;
}

#[tokio::test]
async fn a_100_mib_frame_is_refused_and_the_server_lives_on() {
    let lan = Lan::start(&[]);
    let mut ws = lan.ws([127, 0, 0, 1], "/ws", &[bearer()]).await.expect("connect");
    let huge = "x".repeat(100 * 1024 * 1024);
    let sent = ws.send(Message::Text(huge.into())).await;
    let code = if sent.is_ok() { close_code(&mut ws).await } else { None };
    assert!(code.is_none() || code == Some(1009), "closed with {code:?}");
    let mut fresh = lan.ws([127, 0, 0, 2], "/ws", &[bearer()]).await.expect("server alive");
    assert_alive(&mut fresh).await;
}

#[tokio::test]
async fn frames_over_the_configured_limit_close_with_1009() {
    let lan = Lan::start(&["--max-frame-bytes", "1024"]);
    let mut ws = lan.ws([127, 0, 0, 1], "/ws", &[bearer()]).await.expect("connect");
    assert_alive(&mut ws).await;
    ws.send(Message::Text("y".repeat(4096).into())).await.expect("send");
    assert_eq!(close_code(&mut ws).await, Some(u16::from(CloseCode::Size)));
}

#[tokio::test]
async fn ten_thousand_half_open_connections_do_not_starve_a_real_client() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    const HALF_OPEN: u64 = 10_000;
    // Room for the sockets in this test process only (never the machine's limits).
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
    if soft < HALF_OPEN + 512 {
        setrlimit(Resource::RLIMIT_NOFILE, (HALF_OPEN + 512).min(hard), hard).expect("setrlimit");
    }
    let (soft, _) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
    let count = HALF_OPEN.min(soft.saturating_sub(512));
    assert!(count >= 1000, "the hard fd limit ({soft}) is too low for this test");

    let lan = Lan::start(&[]);
    let mut idle = Vec::with_capacity(count as usize);
    for _ in 0..count {
        match tokio::time::timeout(WAIT, TcpStream::connect(lan.server.addr)).await {
            Ok(Ok(stream)) => idle.push(stream),
            Ok(Err(err)) => panic!("connect {} failed: {err}", idle.len()),
            Err(_) => panic!("connect {} hung", idle.len()),
        }
    }
    // A real client from another address gets through while they hang.
    let (status, head, body) = lan.https([127, 0, 0, 2], "GET", "/healthz", &[], "").await;
    assert_eq!(status, 200, "{head}");
    assert_eq!(body, "ok\n");
    let mut ws = lan.ws([127, 0, 0, 2], "/ws", &[bearer()]).await.expect("real client");
    assert_alive(&mut ws).await;
    // And the server hangs up on the idle sockets by itself (handshake timeout).
    let mut buf = [0u8; 16];
    let first = idle.first_mut().expect("one socket");
    let read = tokio::time::timeout(WAIT, first.read(&mut buf)).await.expect("server closed the idle socket");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}

#[tokio::test]
async fn connections_over_the_per_address_limit_get_503_with_a_reason() {
    let lan = Lan::start_with(&["--token", TOKEN, "--max-conns-per-ip", "2"]);
    let mut a = lan.ws([127, 0, 0, 1], "/ws", &[bearer()]).await.expect("first");
    let mut b = lan.ws([127, 0, 0, 1], "/ws", &[bearer()]).await.expect("second");
    let (status, head, body) = lan.https([127, 0, 0, 1], "GET", "/healthz", &[], "").await;
    assert_eq!(status, 503, "{head}");
    assert!(body.contains("too many connections from your address"), "{body}");
    let (status, _, _) = lan.https([127, 0, 0, 2], "GET", "/healthz", &[], "").await;
    assert_eq!(status, 200, "another address is not affected");
    assert_alive(&mut a).await;
    drop(b.close(None).await);
    drop(b);
    // The slot frees once the socket is gone.
    let mut freed = false;
    for _ in 0..100 {
        if lan.https([127, 0, 0, 1], "GET", "/healthz", &[], "").await.0 == 200 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(freed, "the closed socket's slot was never freed");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let lan = Lan::start(&[]);
    for path in ["/", "/pair", "/healthz", "/no-such-page"] {
        let (_, head, _) = lan.https([127, 0, 0, 1], "GET", path, &[], "").await;
        let csp = header(&head, "content-security-policy").unwrap_or_else(|| panic!("no CSP on {path}: {head}"));
        for directive in ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self' ws: wss:", "style-src 'self'", "frame-ancestors 'none'"] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert_eq!(header(&head, "x-content-type-options").as_deref(), Some("nosniff"));
        assert_eq!(header(&head, "referrer-policy").as_deref(), Some("no-referrer"));
        assert_eq!(header(&head, "x-frame-options").as_deref(), Some("DENY"));
    }
}

#[test]
fn non_loopback_listen_without_auth_refuses_to_start() {
    let data_dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tether"))
            .arg("app-server")
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(args)
            .env_remove("TETHER_TOKEN")
            .output()
            .expect("run tether")
    };
    let output = run(&["--listen", "ws://0.0.0.0:0"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("refusing to listen on non-loopback") && stderr.contains("--token"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).is_empty(), "it must not start listening");
    // A token alone does not make plain ws:// on the network acceptable.
    let output = run(&["--listen", "ws://0.0.0.0:0", "--token", TOKEN]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--insecure-lan"));
    // With --insecure-lan it starts, warning loudly, and still wants the token.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tether"))
        .arg("app-server")
        .arg("--data-dir")
        .arg(data_dir.path())
        .args(["--listen", "ws://0.0.0.0:0", "--token", TOKEN, "--insecure-lan"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("line");
    let port: u16 = first.trim().rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("{first}"));
    let upgrade = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt").block_on(async {
        tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/ws")).await.map(|_| ())
    });
    let _ = child.kill();
    let mut stderr = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr);
    let _ = child.wait();
    assert!(first.starts_with("Listening on ws://0.0.0.0:"), "{first}");
    assert!(stderr.contains("WARNING") && stderr.contains("unencrypted"), "{stderr}");
    assert!(matches!(upgrade, Err(WsError::Http(ref r)) if r.status() == 401), "{upgrade:?}");
}

#[tokio::test]
async fn the_generated_certificate_is_reused_and_an_own_certificate_can_be_given() {
    let lan = Lan::start(&[]);
    let first = lan.server.fingerprint.clone().expect("fingerprint");
    let mut lan = lan;
    let _ = lan.child.kill();
    let _ = lan.child.wait();
    let data_dir = std::mem::replace(&mut lan.data_dir, tempfile::tempdir().expect("dir"));
    drop(lan);
    let again = Lan::start_in(data_dir, &["--listen", "wss://127.0.0.1:0", "--lan", "--token", TOKEN]);
    assert_eq!(again.server.fingerprint.as_deref(), Some(first.as_str()), "same certificate after a restart");
    drop(again);

    let dir = tempfile::tempdir().expect("dir");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params").self_signed(&key).expect("cert");
    let (cert_path, key_path) = (dir.path().join("mine.pem"), dir.path().join("mine.key"));
    std::fs::write(&cert_path, cert.pem()).expect("write cert");
    std::fs::write(&key_path, key.serialize_pem()).expect("write key");
    let own = Lan::start_with(&[
        "--listen", "wss://127.0.0.1:0", "--token", TOKEN,
        "--tls-cert", cert_path.to_str().expect("utf-8"), "--tls-key", key_path.to_str().expect("utf-8"),
    ]);
    assert_eq!(own.server.fingerprint, Some(tether::server::tls::fingerprint(cert.der())));
    assert!(!own.data_dir.path().join("tls").exists(), "nothing generated when a certificate is given");
    let mut ws = own.ws([127, 0, 0, 1], "/ws", &[bearer()]).await.expect("TLS with the own certificate");
    assert_alive(&mut ws).await;
}

#[tokio::test]
async fn tether_pair_prints_a_working_one_time_link_with_qr_and_fingerprint() {
    let lan = Lan::start(&[]);
    let output = Command::new(env!("CARGO_BIN_EXE_tether"))
        .args(["pair", "--token", TOKEN, "--data-dir"])
        .arg(lan.data_dir.path())
        .output()
        .expect("tether pair");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let link = stdout.lines().map(str::trim).find(|l| l.starts_with("https://")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(stdout.contains('█'), "a QR code is drawn: {stdout}");
    let fingerprint = lan.server.fingerprint.clone().expect("fingerprint");
    assert!(stdout.contains(&fingerprint), "{stdout}");
    let code = link.split_once("/pair#").map(|(_, code)| code.to_owned()).expect("code in link");
    assert_eq!(lan.redeem(&code).await.0, 200);
    assert_eq!(lan.redeem(&code).await.0, 401);
    // Without the right token the server issues nothing.
    let refused = Command::new(env!("CARGO_BIN_EXE_tether"))
        .args(["pair", "--token", "wrong", "--data-dir"])
        .arg(lan.data_dir.path())
        .output()
        .expect("tether pair");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("401"));
}

#[tokio::test]
async fn a_client_that_shakes_hands_then_stalls_is_hung_up_on() {
    let lan = Lan::start(&[]);
    let fingerprint = lan.server.fingerprint.clone().expect("fingerprint");
    let tcp = lan.tcp_from([127, 0, 0, 1]).await;
    let mut silent = localclient::connect_pinned(tcp, &fingerprint).await.expect("handshake");
    let tcp = lan.tcp_from([127, 0, 0, 1]).await;
    let mut partial = localclient::connect_pinned(tcp, &fingerprint).await.expect("handshake");
    use tokio::io::AsyncWriteExt;
    partial.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.expect("half a request");
    for stream in [&mut silent, &mut partial] {
        let mut buf = [0u8; 256];
        let read = tokio::time::timeout(WAIT, stream.read(&mut buf)).await.expect("the server hung up in time");
        // Either a clean close, a reset, or hyper's 408 before closing.
        match read {
            Ok(0) | Err(_) => {}
            Ok(n) => assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"), "{:?}", String::from_utf8_lossy(&buf[..n])),
        }
    }
}
