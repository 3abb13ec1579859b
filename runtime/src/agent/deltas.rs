//! Builders for the Letta message deltas a turn streams: every delta of a turn carries
//! the same `run_id`, the step's `step_id`, a message `id` stable across its chunks, and
//! an increasing `seq_id`.

use tether_protocol::content::MessageContent;
use tether_protocol::letta_message::{
    AssistantMessage, LettaMessage, LettaStopReason, LettaUsageStatistics, ReasoningMessage, StopReasonType, ToolCallDelta,
    ToolCallMessage, ToolReturnMessage, ToolStatus, UserMessage, ApprovalRequestMessage,
};
use tether_protocol::stream::{ClientToolEnd, ClientToolStart, LoopErrorMessage, RetryMessage, StreamDelta};

use crate::store::{new_id, now_rfc3339};

/// Numbers and stamps the deltas of one turn.
#[derive(Debug)]
pub struct Deltas {
    run_id: String,
    step_id: String,
    seq: u64,
}

impl Deltas {
    /// A factory for the run `run_id`.
    pub fn new(run_id: &str) -> Self {
        Self { run_id: run_id.to_owned(), step_id: new_id("step"), seq: 0 }
    }

    /// The run every delta belongs to.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Starts a new model step (a new `step_id`).
    pub fn next_step(&mut self) {
        self.step_id = new_id("step");
    }

    fn seq(&mut self) -> Option<u64> {
        self.seq += 1;
        Some(self.seq)
    }

    /// The user's message, echoed so every device shows it.
    pub fn user(&mut self, id: &str, content: MessageContent, otid: Option<String>) -> StreamDelta {
        StreamDelta::Message(LettaMessage::UserMessage(UserMessage {
            id: id.to_owned(),
            date: now_rfc3339(),
            content,
            is_err: None,
            name: None,
            otid,
            run_id: Some(self.run_id.clone()),
            sender_id: None,
            seq_id: self.seq(),
            step_id: Some(self.step_id.clone()),
        }))
    }

    /// A chunk of the answer's text (`id` stays the same for the whole message).
    pub fn assistant(&mut self, id: &str, chunk: String) -> StreamDelta {
        StreamDelta::Message(LettaMessage::AssistantMessage(AssistantMessage {
            id: id.to_owned(),
            date: now_rfc3339(),
            content: MessageContent::Text(chunk),
            is_err: None,
            name: None,
            otid: None,
            run_id: Some(self.run_id.clone()),
            sender_id: None,
            seq_id: self.seq(),
            step_id: Some(self.step_id.clone()),
        }))
    }

    /// A chunk of reasoning.
    pub fn reasoning(&mut self, id: &str, chunk: String) -> StreamDelta {
        StreamDelta::Message(LettaMessage::ReasoningMessage(ReasoningMessage {
            id: id.to_owned(),
            date: now_rfc3339(),
            reasoning: chunk,
            signature: None,
            source: None,
            is_err: None,
            name: None,
            otid: None,
            run_id: Some(self.run_id.clone()),
            sender_id: None,
            seq_id: self.seq(),
            step_id: Some(self.step_id.clone()),
        }))
    }

    /// A chunk of a tool call: name and id on the first, argument fragments after.
    pub fn tool_call(&mut self, id: &str, call: ToolCallDelta) -> StreamDelta {
        StreamDelta::Message(LettaMessage::ToolCallMessage(ToolCallMessage {
            id: id.to_owned(),
            date: now_rfc3339(),
            tool_call: call,
            tool_calls: None,
            is_err: None,
            name: None,
            otid: None,
            run_id: Some(self.run_id.clone()),
            sender_id: None,
            seq_id: self.seq(),
            step_id: Some(self.step_id.clone()),
        }))
    }

    /// A tool call waiting for a human (the complete call).
    pub fn approval_request(&mut self, tool_call_id: &str, name: &str, arguments: &str) -> StreamDelta {
        StreamDelta::Message(LettaMessage::ApprovalRequestMessage(ApprovalRequestMessage {
            id: new_id("message"),
            date: now_rfc3339(),
            tool_call: ToolCallDelta {
                arguments: Some(arguments.to_owned()),
                name: Some(name.to_owned()),
                tool_call_id: Some(tool_call_id.to_owned()),
            },
            tool_calls: None,
            is_err: None,
            name: None,
            otid: None,
            run_id: Some(self.run_id.clone()),
            sender_id: None,
            seq_id: self.seq(),
            step_id: Some(self.step_id.clone()),
        }))
    }

    /// A tool's result, under `id` (the id the stored result takes too).
    pub fn tool_return(&mut self, id: &str, tool_call_id: &str, name: &str, output: &str, is_error: bool) -> StreamDelta {
        StreamDelta::Message(LettaMessage::ToolReturnMessage(ToolReturnMessage {
            id: id.to_owned(),
            date: now_rfc3339(),
            status: if is_error { ToolStatus::Error } else { ToolStatus::Success },
            tool_call_id: tool_call_id.to_owned(),
            tool_return: output.to_owned(),
            stderr: None,
            stdout: None,
            tool_returns: None,
            is_err: is_error.then_some(true),
            name: Some(name.to_owned()),
            otid: None,
            run_id: Some(self.run_id.clone()),
            sender_id: None,
            seq_id: self.seq(),
            step_id: Some(self.step_id.clone()),
        }))
    }

    /// A tool started running on this machine.
    pub fn client_tool_start(&mut self, tool_call_id: &str, name: &str, arguments: &str) -> StreamDelta {
        StreamDelta::ClientToolStart(ClientToolStart {
            id: new_id("lifecycle"),
            date: now_rfc3339(),
            run_id: Some(self.run_id.clone()),
            tool_call_id: tool_call_id.to_owned(),
            tool_name: Some(name.to_owned()),
            tool_args: Some(arguments.to_owned()),
        })
    }

    /// A tool finished.
    pub fn client_tool_end(&mut self, tool_call_id: &str, is_error: bool) -> StreamDelta {
        StreamDelta::ClientToolEnd(ClientToolEnd {
            id: new_id("lifecycle"),
            date: now_rfc3339(),
            run_id: Some(self.run_id.clone()),
            tool_call_id: tool_call_id.to_owned(),
            status: if is_error { ToolStatus::Error } else { ToolStatus::Success },
        })
    }

    /// Live output of a running tool: tether's additive `client_tool_output` lifecycle
    /// delta (`{message_type, id, date, run_id, tool_call_id, output}`); clients that do
    /// not know it ignore it.
    pub fn client_tool_output(&mut self, tool_call_id: &str, output: String) -> StreamDelta {
        StreamDelta::Unknown(serde_json::json!({
            "message_type": "client_tool_output",
            "id": new_id("lifecycle"),
            "date": now_rfc3339(),
            "run_id": self.run_id,
            "tool_call_id": tool_call_id,
            "output": output,
        }))
    }

    /// A failed model call will be retried.
    pub fn retry(&mut self, message: String, reason: StopReasonType, attempt: u32, max_attempts: u32, delay_ms: u64) -> StreamDelta {
        StreamDelta::Retry(RetryMessage {
            id: new_id("lifecycle"),
            date: now_rfc3339(),
            run_id: Some(self.run_id.clone()),
            message,
            reason,
            attempt,
            max_attempts,
            delay_ms,
            retry_kind: Some(tether_protocol::stream::RetryKind::ProviderRetry),
            provider: None,
            from_transport: None,
            to_transport: None,
            error_code: None,
            step_id: Some(self.step_id.clone()),
        })
    }

    /// The turn failed.
    pub fn loop_error(&mut self, message: String, stop_reason: StopReasonType) -> StreamDelta {
        StreamDelta::LoopError(LoopErrorMessage {
            id: new_id("lifecycle"),
            date: now_rfc3339(),
            run_id: Some(self.run_id.clone()),
            message,
            stop_reason,
            is_terminal: true,
            api_error: None,
        })
    }

    /// Why the turn stopped.
    pub fn stop_reason(&mut self, stop_reason: StopReasonType) -> StreamDelta {
        StreamDelta::Message(LettaMessage::StopReason(LettaStopReason { stop_reason }))
    }

    /// Token counts for the turn.
    pub fn usage(&mut self, usage: LettaUsageStatistics) -> StreamDelta {
        StreamDelta::Message(LettaMessage::UsageStatistics(usage))
    }
}
