//! Who may write what, in the web app and in replies from chats (an account linked to the chat
//! user). Everyone signed in reads everything; writes depend on the role:
//!
//! | role        | report, request a move      | accept/reject, decide a move | indicator values          |
//! |-------------|-----------------------------|------------------------------|---------------------------|
//! | admin       | any occurrence              | any                          | any                       |
//! | author      | roadmaps their organisation issued                         ||                           |
//! | coordinator | occurrences of their executors | —                         | values of their executors |
//! | viewer      | —                           | —                            | —                         |

use crate::check::Unit;
use crate::compile::Occurrence;
use crate::store::{Role, User};

/// Whether `user` may report on (or ask to move) the occurrence.
pub fn may_report(user: &User, unit: &Unit, occurrence: &Occurrence) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Author => authored(user, unit),
        Role::Coordinator => {
            let of_mine = |e: &str| bound(user, unit, e);
            match occurrence.executor() {
                // Work each executor does separately belongs to that executor alone.
                Some(e) => of_mine(e),
                None => occurrence.executors.iter().any(|e| of_mine(e)),
            }
        }
        Role::Viewer => false,
    }
}

/// Whether `user` may report for `executor` in the roadmap (a report form's rows).
pub fn may_report_for(user: &User, unit: &Unit, executor: &str) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Author => authored(user, unit),
        Role::Coordinator => bound(user, unit, executor),
        Role::Viewer => false,
    }
}

/// Whether `user` may accept or reject reports and decide on moves in the roadmap.
pub fn may_review(user: &User, unit: &Unit) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Author => authored(user, unit),
        Role::Coordinator | Role::Viewer => false,
    }
}

/// Whether `user` may record a value of an indicator of the roadmap, for `executor` (or the
/// whole roadmap when none).
pub fn may_enter_value(user: &User, unit: &Unit, executor: Option<&str>) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Author => authored(user, unit),
        Role::Coordinator => executor.is_some_and(|e| bound(user, unit, e)),
        Role::Viewer => false,
    }
}

/// The roadmap was issued by the author's organisation.
fn authored(user: &User, unit: &Unit) -> bool {
    user.organisation.is_some() && user.organisation.as_deref() == unit.issuer()
}

/// The executor is one the user is bound to, directly or through a group.
fn bound(user: &User, unit: &Unit, executor: &str) -> bool {
    user.executors
        .iter()
        .any(|b| b == executor || unit.groups.get(b.as_str()).is_some_and(|g| g.members.iter().any(|m| m == executor)))
}
