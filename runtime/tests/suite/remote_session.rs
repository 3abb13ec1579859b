//! One socket of the direct-mode link, over channels on a paused clock: the heartbeat
//! (JSON ping every 30 s, dead after 90 s of silence), the buffer's gap report, and
//! frames that could not be written staying queued.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{Sink, Stream};
use pretty_assertions::assert_eq;
use serde_json::Value;
use tether::remote::buffer::Link;
use tether::remote::session::{serve_socket, Heartbeat, SocketEnd};
use tether::runtime::Runtime;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_util::sync::CancellationToken;

fn runtime() -> (Arc<Runtime>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let runtime = Runtime::open(dir.path().to_owned(), dir.path().to_owned(), None).expect("runtime");
    (runtime, dir)
}

/// The controller's side of the wire: what it sends (with a delay before each), then silence.
fn inbound(script: Vec<(Duration, Message)>) -> impl Stream<Item = Result<Message, WsError>> + Unpin {
    Box::pin(futures_util::stream::unfold(script.into_iter(), |mut script| async move {
        match script.next() {
            Some((delay, message)) => {
                tokio::time::sleep(delay).await;
                Some((Ok(message), script))
            }
            None => std::future::pending().await,
        }
    }))
}

/// Collects what the runtime writes, with the (simulated) time it was written.
fn outbound(start: Instant) -> (impl Sink<Message, Error = String> + Unpin, mpsc::UnboundedReceiver<(Duration, Message)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let sink = futures_util::sink::unfold(tx, move |tx, message: Message| async move {
        tx.send((start.elapsed(), message)).map_err(|e| e.to_string())?;
        Ok::<_, String>(tx)
    });
    (Box::pin(sink), rx)
}

fn drain(rx: &mut mpsc::UnboundedReceiver<(Duration, Message)>) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    while let Ok((at, message)) = rx.try_recv() {
        let text = match message {
            Message::Text(text) => text.as_str().to_owned(),
            Message::Ping(_) => "(ws ping)".to_owned(),
            Message::Close(frame) => format!("(close {})", frame.map(|f| u16::from(f.code)).unwrap_or(0)),
            other => format!("{other:?}"),
        };
        out.push((at.as_secs(), text));
    }
    out
}

const PING: &str = r#"{"type":"ping"}"#;

#[tokio::test(start_paused = true)]
async fn a_silent_controller_is_pinged_every_30_s_and_dropped_after_90_s() {
    let (runtime, _dir) = runtime();
    let link = Link::new(runtime);
    let start = Instant::now();
    let (sink, mut written) = outbound(start);
    let end = serve_socket(&link, inbound(Vec::new()), sink, Heartbeat::default(), &CancellationToken::new()).await;
    assert_eq!(end, SocketEnd::Dead);
    assert_eq!(start.elapsed(), Duration::from_secs(90));
    assert_eq!(
        drain(&mut written),
        vec![
            (30, PING.to_owned()),
            (30, "(ws ping)".to_owned()),
            (60, PING.to_owned()),
            (60, "(ws ping)".to_owned()),
            (90, "(close 1001)".to_owned()),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn pongs_keep_the_socket_alive() {
    let (runtime, _dir) = runtime();
    let link = Link::new(runtime);
    let start = Instant::now();
    let (sink, _written) = outbound(start);
    let pong = || (Duration::from_secs(30), Message::Text(r#"{"type":"pong"}"#.into()));
    let script = vec![pong(), pong(), pong(), pong(), pong()];
    let end = serve_socket(&link, inbound(script), sink, Heartbeat::default(), &CancellationToken::new()).await;
    assert_eq!(end, SocketEnd::Dead);
    // The last pong came at 150 s; the socket is dead at the first tick 90 s after it.
    assert_eq!(start.elapsed(), Duration::from_secs(240));
}

#[tokio::test(start_paused = true)]
async fn frames_buffered_while_down_go_out_in_order_after_a_gap_report() {
    let (runtime, _dir) = runtime();
    let link = Link::with_capacity(runtime, 3);
    for n in 1..=5 {
        link.ctx.outbox.push(format!(r#"{{"type":"event","n":{n}}}"#));
    }
    let start = Instant::now();
    let (sink, mut written) = outbound(start);
    let script = vec![(Duration::from_secs(1), Message::Close(None))];
    let end = serve_socket(&link, inbound(script), sink, Heartbeat::default(), &CancellationToken::new()).await;
    assert_eq!(end, SocketEnd::Closed { code: 1005, reason: String::new() });
    let frames: Vec<Value> = drain(&mut written).into_iter().map(|(_, t)| serde_json::from_str(&t).expect("json")).collect();
    assert_eq!(frames[0]["type"], "error");
    assert_eq!(frames[0]["code"], "frames_dropped");
    assert_eq!(frames[0]["dropped"], 2);
    let kept: Vec<u64> = frames[1..].iter().map(|f| f["n"].as_u64().expect("n")).collect();
    assert_eq!(kept, vec![3, 4, 5]);
    assert!(link.rx.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_frame_that_cannot_be_written_stays_queued_for_the_next_socket() {
    let (runtime, _dir) = runtime();
    let link = Link::new(runtime);
    link.ctx.outbox.push(r#"{"type":"event","n":1}"#.to_owned());
    link.ctx.outbox.push(r#"{"type":"event","n":2}"#.to_owned());
    let broken = Box::pin(futures_util::sink::unfold((), |(), _message: Message| async move { Err::<(), _>("reset".to_owned()) }));
    let end = serve_socket(&link, inbound(Vec::new()), broken, Heartbeat::default(), &CancellationToken::new()).await;
    assert!(matches!(&end, SocketEnd::Failed(e) if e.contains("reset")), "{end:?}");
    assert_eq!(link.rx.len(), 2);
    let start = Instant::now();
    let (sink, mut written) = outbound(start);
    let script = vec![(Duration::from_secs(1), Message::Close(None))];
    serve_socket(&link, inbound(script), sink, Heartbeat::default(), &CancellationToken::new()).await;
    let texts: Vec<String> = drain(&mut written).into_iter().map(|(_, t)| t).collect();
    assert_eq!(texts, vec![r#"{"type":"event","n":1}"#, r#"{"type":"event","n":2}"#]);
}
