//! Executors (исполнители): organisations and people responsible for activities, named groups
//! of them, and the shared directory file several roadmaps include.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Id;

/// An organisation or a person that carries out activities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Executor {
    /// Full official name: "Управление образования администрации муниципального района имени Лазо".
    pub name: String,
    /// Short name used in tables: "Управление образования района".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
    /// Organisation (default) or person.
    #[serde(default, skip_serializing_if = "ExecutorKind::is_org")]
    pub kind: ExecutorKind,
    /// For a person: the position held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Where reminders go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(email)]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// A Telegram chat that gets its notices besides e-mail: the chat's id (`-1001234567890`)
    /// or a public channel's name (`@uo_lazo`); the bot must be a member (docs/notifications.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telegram: Option<ChatId>,
    /// A MAX chat that gets its notices besides e-mail: the chat's id (`-69312345678`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<MaxChatId>,
    /// The organisation's own short name, as its charter gives it, printed in brackets under
    /// the name on letterheads: "КГАОУ ДПО ХК ИРО", "Управление образования".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abbreviation: Option<String>,
    /// The postal address on the letterhead: "Забайкальская ул., д. 10, г. Хабаровск, 680011".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Who prepares documents on the organisation's behalf: the executor mark (отметка об
    /// исполнителе) of its letters and reports, full name and phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Person>,
    /// The head of the organisation: receives escalations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<Person>,
    /// Deputies (заместители): people who may report for the organisation, a reply to a
    /// notice from their `email` included (docs/notifications.md, section 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deputies: Vec<Person>,
    /// The organisation this one belongs to (an executor id): the next step of the escalation ladder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Id>,
    /// IANA time zone when it differs from the roadmap's ("Asia/Yakutsk").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Other spellings of the name found in documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Whether an executor is an organisation or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExecutorKind {
    #[default]
    Org,
    Person,
}

impl Executor {
    /// The name tables use: the short one when given.
    pub fn display_name(&self) -> &str {
        self.short.as_deref().unwrap_or(&self.name)
    }
}

impl ExecutorKind {
    fn is_org(&self) -> bool {
        *self == ExecutorKind::Org
    }
}

/// A named person: a head, a signatory, a chair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Initials and surname as signed: "А.Г. Виноградова".
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(email)]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// How a letter addresses them, in the dative: "Министру образования и науки Хабаровского
    /// края А.Г. Кузнецовой".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressee: Option<String>,
    /// The salutation of a letter: "Уважаемая Анна Геннадьевна!".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salutation: Option<String>,
}

/// A named set of executors ("districts": every municipal district of the region).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// How documents name the group: "Муниципальные координаторы".
    pub name: String,
    /// Executor ids.
    pub members: Vec<Id>,
    /// A Telegram chat of the group (its id or `@channel`): it gets the weekly digest of what the
    /// members owe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telegram: Option<ChatId>,
    /// A MAX chat of the group (its id): it gets the weekly digest of what the members owe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<MaxChatId>,
}

/// A messenger chat's id as the author wrote it: a number (`-1001234567890`), or for Telegram
/// a public channel's name (`@uo_lazo`). Kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ChatId(pub String);

/// A MAX chat's id: a number only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MaxChatId(pub String);

/// The schema of a chat id written as a number, or as text matching `pattern`.
fn chat_schema(description: &str, pattern: &str) -> schemars::Schema {
    schemars::json_schema!({
        "description": description,
        "anyOf": [{"type": "integer"}, {"type": "string", "pattern": pattern}]
    })
}

impl JsonSchema for ChatId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ChatId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        chat_schema(
            "A Telegram chat's id (-1001234567890) or a public channel's name (@uo_lazo).",
            "^(-?[0-9]{1,19}|@[A-Za-z][A-Za-z0-9_]{3,31})$",
        )
    }
}

impl JsonSchema for MaxChatId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MaxChatId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        chat_schema("A MAX chat's id (-69312345678).", "^-?[0-9]{1,19}$")
    }
}

/// A number or a text, as YAML gives a chat id.
#[derive(Deserialize)]
#[serde(untagged)]
enum Written {
    Number(i64),
    Text(String),
}

impl<'de> Deserialize<'de> for ChatId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ChatId, D::Error> {
        Ok(ChatId(match Written::deserialize(d)? {
            Written::Number(n) => n.to_string(),
            Written::Text(t) => t,
        }))
    }
}

impl<'de> Deserialize<'de> for MaxChatId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<MaxChatId, D::Error> {
        ChatId::deserialize(d).map(|c| MaxChatId(c.0))
    }
}

/// A shared directory of executors (`kind: directory`), included by roadmaps with `include:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Id,
    pub title: String,
    /// Default IANA time zone of the executors listed here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9][a-z0-9-]*$"}))]
    pub executors: IndexMap<Id, Executor>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9][a-z0-9-]*$"}))]
    pub groups: IndexMap<Id, Group>,
}
