//! A client that stops reading is disconnected; the others keep streaming.

use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use super::harness::{Server, TOKEN};

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_while_another_keeps_streaming() {
    let server = Server::start_env(&["--token", TOKEN], &[("TETHER_OUTBOX_CAPACITY", "32")]);
    let mut reader = server.connect().await;
    let (agent_id, conversation_id) = reader.start_new(json!({})).await;

    // The stalled client: a tiny receive buffer, subscribed, then never read.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("rcvbuf");
    let stream = socket.connect(([127, 0, 0, 1], server.port).into()).await.expect("connect");
    let mut request = server.url().into_client_request().expect("request");
    request.headers_mut().insert("Authorization", format!("Bearer {TOKEN}").parse().expect("header"));
    let (mut stalled, _) = tokio_tungstenite::client_async(request, stream).await.expect("handshake");
    let sync = json!({ "type": "sync", "request_id": "s", "runtime": { "agent_id": agent_id, "conversation_id": conversation_id } });
    futures_util::SinkExt::send(&mut stalled, Message::Text(sync.to_string().into())).await.expect("send");

    for i in 0..300 {
        reader.say(&agent_id, &conversation_id, &format!("in-{i}"), "keep talking").await;
        let frames = reader.until_turn_finished().await;
        assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn", "turn {i}");
    }

    // Now read what the stalled client was sent: it ends with a close saying why.
    let mut close = None;
    while let Some(message) = tokio::time::timeout(std::time::Duration::from_secs(20), stalled.next()).await.expect("drains") {
        match message {
            Ok(Message::Close(frame)) => {
                close = frame;
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let close = close.expect("a close frame");
    assert_eq!(u16::from(close.code), 1013);
    assert!(close.reason.contains("too slow"), "{}", close.reason);
}
