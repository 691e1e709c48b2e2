//! Notices to the people who decide: a request to move a deadline waits for the roadmap's
//! authors (the accounts of the organisation that issued it), and each of them with an e-mail
//! address hears of it once. When the issuing organisation has no such account, the
//! administrators hear of it instead, so that no request waits unseen.

use chrono::{DateTime, FixedOffset};
use serde_json::json;

use crate::check::Workspace;
use crate::compile::Plan;
use crate::store::{MoveRequest, Notice, Role, User};

/// The rule name of these notices (and of their e-mail's wording).
pub const RULE: &str = "move-request";

/// One notice per pending request and decider with an address.
pub fn plan(
    ws: &Workspace,
    plan: &Plan,
    pending: &[MoveRequest],
    users: &[User],
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    let mut out = Vec::new();
    for request in pending.iter().filter(|m| m.decision.is_none()) {
        let Some(i) = plan.position(&request.occurrence) else { continue };
        let o = &plan.occurrences[i];
        let unit = &ws.units[o.unit];
        let task = &unit.tasks[o.task];
        let with_email = |u: &&User| u.email.as_deref().is_some_and(|e| !e.trim().is_empty());
        let authors: Vec<&User> = users
            .iter()
            .filter(|u| {
                u.role == Role::Author && u.organisation.is_some() && u.organisation.as_deref() == unit.issuer()
            })
            .filter(with_email)
            .collect();
        let deciders = if authors.is_empty() {
            users.iter().filter(|u| u.role == Role::Admin).filter(with_email).collect()
        } else {
            authors
        };
        let asked_by = users
            .iter()
            .find(|u| u.login == request.requested_by)
            .map_or(request.requested_by.as_str(), |u| u.name.as_str());
        let day = now.with_timezone(&unit.tz).date_naive();
        for to in deciders {
            let email = to.email.clone().unwrap_or_default();
            out.push(Notice {
                key: format!("{}|{RULE}-{}|{email}", request.occurrence, request.id),
                rule: RULE.into(),
                occurrence: Some(request.occurrence.clone()),
                roadmap: unit.id.clone(),
                recipient: email,
                name: to.name.clone(),
                tz: unit.tz.name().to_string(),
                day,
                expires: day + chrono::Days::new(14),
                payload: serde_json::value::to_raw_value(&json!({
                    "rule": RULE,
                    "request": request.id,
                    "roadmap": unit.title,
                    "document": if unit.protocol { "Протокол" } else { "Дорожная карта" },
                    "activity": task.title,
                    "point": task.number,
                    "occurrence": request.occurrence,
                    "due": o.due_date,
                    "phrase": task.phrase,
                    "to": request.date,
                    "reason": request.reason,
                    "requested_by": asked_by,
                }))
                .unwrap_or_default(),
            });
        }
    }
    out
}
