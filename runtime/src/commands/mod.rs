//! v2 commands, one module per family; [`dispatch`] routes a decoded frame to its handler.

mod info;

use tether_protocol::{ClientFrame, ServerFrame};

use crate::server::connection::ConnectionCtx;

/// Handles one decoded frame from a client, answering through the connection's outbox.
pub async fn dispatch(ctx: &ConnectionCtx, frame: ClientFrame) {
    match frame {
        ClientFrame::AppServerInfo(cmd) => info::app_server_info(ctx, cmd),
        other => ctx.reply_unsupported(other.frame_type(), other.request_id()),
    }
}

/// Sends a frame to this connection (helper so handlers read as one line).
pub(crate) fn send(ctx: &ConnectionCtx, frame: ServerFrame) {
    ctx.outbox.send_frame(&frame);
}
