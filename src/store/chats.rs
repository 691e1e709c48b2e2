//! What replies from messenger chats need from the store: the chat users linked to accounts
//! (by a one-time code the account's holder gets on their page in the web app and sends to the
//! bot), the message karta posted that a reply in a chat names (by the id the messenger gave
//! it), and how far each bot's updates are read. Linking is one transaction with the mark that
//! the chat message is handled and the bot's answer, as a reply by e-mail is: a message read
//! twice links nothing twice and answers once.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::{Handled, Outgoing, StoreError, User};

/// A chat user linked to an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatLink {
    /// `telegram` or `max`.
    pub messenger: String,
    /// The messenger's id of the user.
    pub chat_user: String,
    /// The name the messenger showed when the link was made.
    pub name: String,
    pub linked_at: String,
}

/// What a linking code did.
#[derive(Debug, Clone, PartialEq)]
pub enum Linking {
    /// The chat user is now linked to this account.
    Linked(User),
    /// No such code, or it expired or was spent: nothing linked.
    BadCode,
    /// The chat message was handled before: nothing done again.
    Repeat,
}

/// The store's side of chats.
pub trait Chats {
    /// Keeps the digest of a one-time linking code for account `user`, good until `expires`;
    /// the account's earlier code, if any, is spent.
    fn issue_link_code(&mut self, user: i64, digest: &str, expires: DateTime<FixedOffset>) -> Result<(), StoreError>;
    /// Spends the code whose digest is `digest` when it is good at `mark.at`, linking `link` to
    /// its account (the chat user's earlier link gives way), marks the chat message handled and
    /// queues the answer `answer` composes for the account linked (`None`: the code was bad);
    /// all in one transaction.
    fn link_chat(
        &mut self,
        digest: &str,
        link: &ChatLink,
        mark: &Handled,
        answer: &mut (dyn FnMut(Option<&User>) -> Outgoing + Send),
    ) -> Result<Linking, StoreError>;
    /// The account chat user `chat_user` of `messenger` is linked to.
    fn chat_account(&self, messenger: &str, chat_user: &str) -> Result<Option<User>, StoreError>;
    /// The chat users linked to account `user`.
    fn chat_links(&self, user: i64) -> Result<Vec<ChatLink>, StoreError>;
    /// Undoes a link of account `user`; whether there was one.
    fn unlink_chat(&mut self, user: i64, messenger: &str, chat_user: &str) -> Result<bool, StoreError>;
    /// The Message-ID of the message karta posted to `recipient` (`telegram:CHAT`) that the
    /// messenger calls `post`.
    fn posted_as(&self, recipient: &str, post: &str) -> Result<Option<String>, StoreError>;
    /// How far the updates of bot `name` are read.
    fn cursor(&self, name: &str) -> Result<Option<String>, StoreError>;
    fn set_cursor(&mut self, name: &str, value: &str) -> Result<(), StoreError>;
}
