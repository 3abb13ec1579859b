//! The accept loop: admits each TCP connection against the limits, does the TLS handshake
//! when TLS is on, and serves HTTP/1.1 (with WebSocket upgrades) through hyper.
//!
//! `axum::serve` does neither TLS nor per-address limits, hence this loop. Each request
//! carries the peer address (`ConnectInfo`) and the connection's slot (held by a
//! WebSocket for its whole life, so upgraded sockets count against the limits too).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower_service::Service;

use super::limits::{ConnRefusal, ConnSlot, ConnTracker};

/// Raises this process's open-file soft limit towards its hard limit, so the connection
/// caps (not the OS default of 1024) decide how many clients are served.
pub fn raise_fd_limit(wanted: u64) {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let target = wanted.min(hard);
        if target > soft {
            let _ = setrlimit(Resource::RLIMIT_NOFILE, target, hard);
        }
    }
}

/// A client must finish the TLS handshake within this, or it is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// A client must send its request headers within this (idle sockets are closed fast).
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How long shutdown waits for open connections to finish closing.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(3);

/// The connection's admission, reachable from handlers (a WebSocket keeps it alive).
#[derive(Debug, Clone)]
pub struct HeldSlot(pub Arc<ConnSlot>);

/// Serves `app` on `listener` until `shutdown` fires, then drains open connections briefly.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    tracker: Arc<ConnTracker>,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    // Frames are small and often written back to back: without this, the
                    // second waits ~40 ms for the client's delayed ACK (Nagle).
                    let _ = tcp.set_nodelay(true);
                    let admission = tracker.admit(peer.ip());
                    tokio::spawn(handle(tcp, peer, admission, app.clone(), tls.clone(), shutdown.clone()));
                }
                Err(err) => {
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            () = shutdown.cancelled() => break,
        }
    }
    drop(listener);
    let drained = async {
        while tracker.open_total() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drained).await;
}

async fn handle(
    tcp: TcpStream,
    peer: SocketAddr,
    admission: Result<ConnSlot, ConnRefusal>,
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: CancellationToken,
) {
    let _ = tcp.set_nodelay(true);
    let slot = match (admission, &tls) {
        (Ok(slot), _) => HeldSlot(Arc::new(slot)),
        // Over the limit under TLS: a 503 would cost a handshake; close at once.
        (Err(refusal), Some(_)) => return tracing::debug!("closed a connection from {peer}: {refusal}"),
        (Err(refusal), None) => return refuse(tcp, refusal).await,
    };
    match tls {
        Some(acceptor) => match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
            Ok(Ok(stream)) => serve_io(stream, peer, slot, app, shutdown).await,
            Ok(Err(err)) => tracing::debug!("TLS handshake with {peer} failed: {err}"),
            Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
        },
        None => {
            // A plain client that never sends a byte is dropped before hyper sees it.
            let mut probe = [0u8; 1];
            match tokio::time::timeout(HEADER_TIMEOUT, tcp.peek(&mut probe)).await {
                Ok(Ok(n)) if n > 0 => serve_io(tcp, peer, slot, app, shutdown).await,
                _ => tracing::debug!("{peer} sent nothing in time"),
            }
        }
    }
}

async fn serve_io<S>(stream: S, peer: SocketAddr, slot: HeldSlot, app: Router, shutdown: CancellationToken)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(slot.clone());
        let mut app = app.clone();
        async move { Ok::<_, Infallible>(app.call(request).await.unwrap_or_else(|never| match never {})) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
    let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(err) = result {
                tracing::debug!("connection from {peer} ended: {err}");
            }
        }
        () = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN_TIMEOUT, connection).await;
        }
    }
}

/// Answers 503 with the reason, without reading a request, and closes.
async fn refuse<S>(mut stream: S, refusal: ConnRefusal)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let body = format!("{refusal}\n");
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nretry-after: 10\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let exchange = async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        // Read what the client already sent, so closing does not reset the connection
        // and lose the response.
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), exchange).await;
}
