// ---- tether-client: protocol frames (mirrors tether-protocol's Rust types; checked
// against protocol/tests/golden by tests/client-types.test.mjs) ----

/** A JSON object whose members the client does not type (Letta bodies, settings). */
export interface JsonObject { [key: string]: unknown }

/** Which runtime a frame is about (`RuntimeScope`). */
export interface RuntimeScope { agent_id: string | null; conversation_id: string; acting_user_id?: string }

/** Fields every runtime event carries (`RuntimeEnvelope`). */
export interface RuntimeEnvelope { runtime: RuntimeScope; event_seq: number; emitted_at: string; idempotency_key: string }

export type DevicePermissionMode = "standard" | "acceptEdits" | "unrestricted" | "strict";

// ---- commands (client → runtime) ----

export interface AppServerInfoCommand { type: "app_server_info"; request_id: string }

export interface ExternalToolDefinition { name: string; label?: string; description: string; parameters: JsonObject }
export interface ExternalToolsGroup { scope_id?: string; tools: ExternalToolDefinition[] }

export interface RuntimeStartCommand {
  type: "runtime_start";
  request_id: string;
  agent_id?: string;
  create_agent?: { body: JsonObject; pin_global?: boolean; memfs?: boolean };
  conversation_id?: string;
  create_conversation?: { body?: JsonObject };
  conversation_source_tags?: string[];
  cwd?: string | null;
  mode?: DevicePermissionMode;
  execution_settings?: JsonObject;
  workspace_sandbox?: { root: string; isolation_root: string };
  skill_sources?: string[];
  preserve_skill_sources?: boolean;
  client_info?: { name: string; title?: string; version?: string };
  recover_approvals?: boolean;
  force_device_status?: boolean;
  wait_for_replay?: boolean;
  teleport_id?: string;
  external_tools?: ExternalToolsGroup[];
}

export interface SyncCommand {
  type: "sync"; runtime: RuntimeScope; request_id?: string;
  recover_approvals?: boolean; resume_interrupted_turn?: boolean; force_device_status?: boolean;
}

export interface TextPart { type: "text"; text: string }
export interface ImagePart { type: "image"; source: JsonObject }
export type MessageContent = string | Array<TextPart | ImagePart | JsonObject>;
export interface MessageCreate {
  role: "user" | "system" | "assistant"; content: MessageContent;
  client_message_id?: string; otid?: string; name?: string; sender_id?: string; type?: "message";
}

export interface CreateMessagePayload {
  kind: "create_message";
  messages: MessageCreate[];
  image_failure_mode?: "strict" | "drop";
  client_tool_allowlist?: string[];
  client_toolset?: { base?: string; include?: string[] };
  external_tool_scope_ids?: string[];
  exclude_interactive_tools?: boolean;
  response_format?: JsonObject;
}

export interface ApprovalDecision {
  behavior: "allow" | "deny";
  message?: string;
  updated_input?: JsonObject;
  updated_permissions?: JsonObject[];
  selected_permission_suggestion_ids?: string[];
}
export interface ApprovalResponsePayload { kind: "approval_response"; request_id: string; decision?: ApprovalDecision; error?: string }

export interface TeleportContinuePayload {
  kind: "teleport_continue"; teleport_id: string; source: { device_id: string; connection_name: string };
  continuation?: { approvals: JsonObject[] };
}

export interface InputCommand {
  type: "input"; request_id?: string; runtime: RuntimeScope;
  payload: CreateMessagePayload | ApprovalResponsePayload | TeleportContinuePayload;
}

export interface AbortMessageCommand { type: "abort_message"; runtime: RuntimeScope; request_id?: string; run_id?: string }
export interface ResumeQueueCommand { type: "resume_queue"; runtime: RuntimeScope; request_id?: string }
export interface ConversationListCommand { type: "conversation_list"; request_id: string; query?: JsonObject }

export interface ExternalToolCallResultContent { type: "text" | "image"; text?: string; data?: string; mimeType?: string }
export interface ExternalToolCallResult { content: ExternalToolCallResultContent[]; is_error?: boolean }
export interface ExternalToolCallResponseCommand { type: "external_tool_call_response"; request_id: string; result?: ExternalToolCallResult; error?: string }

/** The commands this package types; any other `{type, ...}` object may be sent too. */
export type ClientFrame =
  | AppServerInfoCommand | RuntimeStartCommand | SyncCommand | InputCommand | AbortMessageCommand
  | ResumeQueueCommand | ConversationListCommand | ExternalToolCallResponseCommand;

// ---- answers and events (runtime → client) ----

export interface Capabilities {
  agent_management: boolean; conversation_management: boolean; memory_management: boolean; runtime_start: boolean;
  launch_subagent?: boolean; runtime_workspace_sandbox?: boolean; runtime_external_tools_update?: boolean;
  structured_outputs?: boolean; split_channels: boolean;
}
export interface AppServerInfoResponse {
  type: "app_server_info_response"; request_id: string; success: boolean; backend: "local" | "api";
  letta_code_version: string; protocol_version: number; capabilities: Capabilities;
}

export interface AgentState extends JsonObject { id: string; name: string }
export interface Conversation extends JsonObject { id: string; agent_id?: string | null }

export interface RuntimeStartResponse {
  type: "runtime_start_response"; request_id: string; success: boolean;
  runtime: RuntimeScope | null; agent: AgentState | null; conversation: Conversation | null;
  execution_settings?: JsonObject; created: { agent: boolean; conversation: boolean }; error?: string;
}

export interface SyncResponse { type: "sync_response"; request_id: string; runtime: RuntimeScope; success: boolean; error?: string }

export interface InputAccepted {
  type: "input_accepted"; request_id: string; runtime: RuntimeScope; accepted: boolean;
  disposition?: "started" | "queued"; error?: string;
}

export interface AbortMessageResponse { type: "abort_message_response"; request_id: string; runtime: RuntimeScope; aborted: boolean; success: boolean; error?: string }
export interface ResumeQueueResponse { type: "resume_queue_response"; request_id: string; runtime: RuntimeScope; resumed: number; success: boolean; error?: string }
export interface ConversationListResponse { type: "conversation_list_response"; request_id: string; success: boolean; conversations: Conversation[]; error?: string }

export interface UsageStatistics {
  completion_tokens?: number; prompt_tokens?: number; total_tokens?: number; step_count?: number;
  cached_input_tokens?: number; cache_write_tokens?: number; reasoning_tokens?: number; context_tokens?: number;
  run_ids?: string[];
}
export type StopReason =
  | "end_turn" | "error" | "llm_api_error" | "invalid_llm_response" | "invalid_tool_call" | "max_steps"
  | "max_tokens_exceeded" | "no_tool_call" | "tool_rule" | "cancelled" | "insufficient_credits"
  | "requires_approval" | "context_window_overflow_in_system_prompt" | (string & {});

export interface TurnFinished extends RuntimeEnvelope {
  type: "turn_finished"; turn_id: string; stop_reason: StopReason; run_id?: string; error?: string; usage?: UsageStatistics;
}

/** A streamed Letta message or lifecycle delta; `message_type` (or `type`) says which. */
export interface StreamDeltaPayload extends JsonObject { message_type?: string; type?: string }
export interface StreamDelta extends RuntimeEnvelope { type: "stream_delta"; delta: StreamDeltaPayload; subagent_id?: string }

export interface UpdateLoopStatus extends RuntimeEnvelope { type: "update_loop_status"; loop_status: JsonObject & { status: string } }
export interface UpdateQueue extends RuntimeEnvelope { type: "update_queue"; queue: JsonObject[]; removed: JsonObject[] }
export interface UpdateDeviceStatus extends RuntimeEnvelope { type: "update_device_status"; device_status: JsonObject }

export interface CanUseToolRequest extends JsonObject { subtype: "can_use_tool"; tool_name: string; input: JsonObject; tool_call_id?: string }
export interface ControlRequest {
  type: "control_request"; request_id: string; request: CanUseToolRequest | (JsonObject & { subtype: string });
  agent_id?: string; conversation_id?: string;
}

export interface ExternalToolCallRequest {
  type: "external_tool_call_request"; request_id: string; runtime?: RuntimeScope; scope_id?: string;
  tool_call_id: string; tool_name: string; input: JsonObject;
}

/** tether's refusal of a frame (additive to the reference). */
export interface ErrorFrame { type: "error"; code: string; message: string; request_id?: string; frame_type?: string }

/** The frames this package types. Other types (agent_*, cron_*, …) arrive too, as plain objects. */
export type ServerFrame =
  | AppServerInfoResponse | RuntimeStartResponse | SyncResponse | InputAccepted | AbortMessageResponse
  | ResumeQueueResponse | ConversationListResponse | TurnFinished | StreamDelta | UpdateLoopStatus
  | UpdateQueue | UpdateDeviceStatus | ControlRequest | ExternalToolCallRequest | ErrorFrame;

// ---- the client ----

/** A `WebSocket` constructor: the browser's, or `ws`-style with `(url, protocols, {headers})`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => unknown;

export interface ClientOptions {
  /** ws, wss, http or https base URL; `/ws` is appended when the path is empty. */
  url: string;
  /** Bearer token: a header with a `WebSocket` constructor option, subprotocols in browsers. */
  authToken?: string;
  /** How long a request waits for its answer (default 30000). */
  requestTimeoutMs?: number;
  /** A WebSocket constructor (Node: the `ws` package). Browsers use the global one. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect with backoff when the socket drops (default true). */
  reconnect?: boolean;
}

export type ConnectionStateName = "connecting" | "open" | "reconnecting" | "closed";
export interface DisconnectEvent { channel: "control"; code: number; reason: string }
