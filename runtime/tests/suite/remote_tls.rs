//! `wss://` controllers: the certificate is verified (system roots plus `--ca-file`).

use serde_json::json;

use super::remote_controller::{Controller, Remote, TOKEN};

/// A private CA and a `localhost` certificate it signed: (CA PEM, leaf chain DER, leaf key DER).
fn private_ca() -> (String, Vec<Vec<u8>>, Vec<u8>) {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "tether test CA");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("leaf params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    (ca.pem(), vec![leaf.der().to_vec(), ca.der().to_vec()], leaf_key.serialize_der())
}

#[tokio::test]
async fn dials_a_wss_controller_whose_ca_is_given_with_ca_file() {
    let (ca_pem, chain, key) = private_ca();
    let controller = Controller::bind_tls(chain, key).await;
    let data = tempfile::tempdir().expect("data");
    let workspace = tempfile::tempdir().expect("workspace");
    let ca_file = data.path().join("ca.pem");
    std::fs::write(&ca_file, ca_pem).expect("write ca");
    let args = ["--token", TOKEN, "--ca-file", ca_file.to_str().expect("utf-8")];
    let _remote = Remote::start(&controller.url(), "tls-box", data.path(), workspace.path(), &args, &[]);
    let (mut conn, handshake) = controller.accept().await;
    assert_eq!(handshake.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(handshake.query.get("connectionName").map(String::as_str), Some("tls-box"));
    let (agent_id, conversation_id) = conn.start_new(json!({})).await;
    conn.say(&agent_id, &conversation_id, "hi", "hello over TLS").await;
    let frames = conn.until_turn_finished().await;
    assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn");
}

#[tokio::test]
async fn an_untrusted_certificate_is_never_accepted() {
    let (_ca_pem, chain, key) = private_ca();
    let controller = Controller::bind_tls(chain, key).await;
    let data = tempfile::tempdir().expect("data");
    let workspace = tempfile::tempdir().expect("workspace");
    let env = [("TETHER_REMOTE_BUDGET_SECS", "2")];
    let mut remote = Remote::start(&controller.url(), "tls-box", data.path(), workspace.path(), &["--token", TOKEN], &env);
    // Every TLS handshake fails on the runtime's side, so no WebSocket is ever opened.
    let refusing = async {
        loop {
            assert!(controller.accept_answering(None).await.is_none(), "a socket opened over an untrusted certificate");
        }
    };
    let (status, stderr) = tokio::select! {
        exited = remote.exited() => exited,
        () = refusing => unreachable!(),
    };
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("TLS handshake with localhost failed"), "{stderr}");
}
