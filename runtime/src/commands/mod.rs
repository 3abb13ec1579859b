//! v2 commands, one module per family; [`dispatch`] routes a decoded frame to its handler.

mod agents;
mod conversations;
pub mod convert;
mod external;
mod info;
mod messages;
mod models;
pub mod runtime_start;
mod scope;

use tether_protocol::ClientFrame;

use crate::server::connection::ConnectionCtx;

/// Handles one decoded frame from a client; every command gets an answer.
pub async fn dispatch(ctx: &ConnectionCtx, frame: ClientFrame) {
    match frame {
        ClientFrame::AppServerInfo(cmd) => info::app_server_info(ctx, cmd),
        ClientFrame::RuntimeStart(cmd) => runtime_start::runtime_start(ctx, cmd).await,
        ClientFrame::Input(cmd) => scope::input(ctx, cmd).await,
        ClientFrame::Sync(cmd) => scope::sync(ctx, cmd).await,
        ClientFrame::AbortMessage(cmd) => scope::abort(ctx, cmd).await,
        ClientFrame::ResumeQueue(cmd) => scope::resume_queue(ctx, cmd).await,
        ClientFrame::RemoveQueueItem(cmd) => scope::remove_queue_item(ctx, cmd).await,
        ClientFrame::ChangeDeviceState(cmd) => scope::change_device_state(ctx, cmd).await,
        ClientFrame::AgentList(cmd) => agents::list(ctx, cmd),
        ClientFrame::AgentRetrieve(cmd) => agents::retrieve(ctx, cmd),
        ClientFrame::AgentCreate(cmd) => agents::create(ctx, cmd),
        ClientFrame::AgentUpdate(cmd) => agents::update(ctx, cmd),
        ClientFrame::AgentDelete(cmd) => agents::delete(ctx, cmd),
        ClientFrame::ConversationList(cmd) => conversations::list(ctx, cmd),
        ClientFrame::ConversationRetrieve(cmd) => conversations::retrieve(ctx, cmd),
        ClientFrame::ConversationCreate(cmd) => conversations::create(ctx, cmd),
        ClientFrame::ConversationMessagesList(cmd) => messages::list(ctx, cmd),
        ClientFrame::ListModels(cmd) => models::list(ctx, cmd),
        ClientFrame::UpdateModel(cmd) => models::update(ctx, cmd).await,
        ClientFrame::RuntimeExternalToolsUpdate(cmd) => external::update(ctx, cmd),
        ClientFrame::ExternalToolCallResponse(cmd) => external::response(ctx, cmd),
        other => ctx.reply_unsupported(other.frame_type(), other.request_id()),
    }
}
