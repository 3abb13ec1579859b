//! Message content as the Letta API shapes it: a plain string or a list of typed parts,
//! and `MessageCreate`, the message a client sends in an `input`.

use serde::de::Error;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::wire::{decode_nested, tag_of};

/// `content` of Letta messages: `string | Array<content part>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MessageContent {
    /// Plain text.
    Text(String),
    /// Multi-modal content parts.
    Parts(Vec<ContentPart>),
}

impl MessageContent {
    /// The text of this content: the string, or the text parts joined without separator.
    pub fn text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Parts(parts) => parts
                .iter()
                .filter_map(|part| match part {
                    ContentPart::Text(text) => Some(text.text.as_str()),
                    _ => None,
                })
                .collect(),
        }
    }
}

impl From<String> for MessageContent {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for MessageContent {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl<'de> Deserialize<'de> for MessageContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(text) => Ok(Self::Text(text)),
            parts @ Value::Array(_) => decode_nested(parts).map(Self::Parts),
            _ => Err(D::Error::custom(
                "content must be a string or an array of content parts",
            )),
        }
    }
}

/// One part of a multi-modal content list (`LettaMessageContentUnion`), tagged by `type`.
///
/// Text and images are typed; every other part (tool calls, reasoning, …) and any part
/// without a `type` is kept as raw JSON so nothing is lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum ContentPart {
    /// `type: "text"`.
    #[serde(rename = "text")]
    Text(TextContent),
    /// `type: "image"`.
    #[serde(rename = "image")]
    Image(ImageContent),
    /// Any other part, verbatim.
    #[serde(untagged)]
    Other(Value),
}

impl<'de> Deserialize<'de> for ContentPart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let tag = tag_of::<D::Error>(&value, "type", "a content part")?;
        Ok(match tag.as_deref() {
            Some("text") => Self::Text(decode_nested(value)?),
            Some("image") => Self::Image(decode_nested(value)?),
            _ => Self::Other(value),
        })
    }
}

/// A text part (`TextContent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextContent {
    /// The text.
    pub text: String,
    /// Identifier of reasoning tied to this text, when the provider gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// An image part (`ImageContent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageContent {
    /// Where the image comes from.
    pub source: ImageSource,
}

/// The source of an image part, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ImageSource {
    /// An image fetched from a URL.
    #[serde(rename = "url")]
    Url {
        /// The image URL.
        url: String,
    },
    /// An inline base64 image.
    #[serde(rename = "base64")]
    Base64 {
        /// Base64-encoded bytes.
        data: String,
        /// MIME type, e.g. `image/png`.
        media_type: String,
        /// Detail level hint (`low`, `high`, `auto`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// An image already stored by Letta.
    #[serde(rename = "letta")]
    Letta {
        /// The stored file's id.
        file_id: String,
        /// Base64 bytes, when inlined.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<String>,
        /// Detail level hint.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// MIME type.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        media_type: Option<String>,
    },
    /// A source this build does not model (or one without `type`), verbatim.
    #[serde(untagged)]
    Other(Value),
}

/// Who authored a [`MessageCreate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageRole {
    /// The human.
    User,
    /// System text injected into the conversation.
    System,
    /// The agent (for seeding history).
    Assistant,
}

/// A message to send to the agent: Letta's `MessageCreate` plus v2's `client_message_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageCreate {
    /// Who authored it.
    pub role: MessageRole,
    /// What it says.
    pub content: MessageContent,
    /// Client-chosen identity of this send; queue and loop status report it back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<String>,
    /// Offline threading id, for backend de-duplication of retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otid: Option<String>,
    /// Participant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Identity or agent that sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_id: Option<String>,
    /// Multi-agent group it was sent in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Batch item it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_item_id: Option<String>,
    /// Always `"message"` when present.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl MessageCreate {
    /// A user message with plain-text content.
    pub fn user_text(text: impl Into<String>) -> Self {
        Self {
            role: MessageRole::User,
            content: MessageContent::Text(text.into()),
            client_message_id: None,
            otid: None,
            name: None,
            sender_id: None,
            group_id: None,
            batch_item_id: None,
            kind: None,
        }
    }
}

/// A JSON object with arbitrary members (`Record<string, unknown>`).
pub type JsonObject = Map<String, Value>;
