//! The writes of the web app and the API: report an occurrence done, partly done or not done
//! (with an evidence link or file), ask to move a deadline, accept or reject a report, decide a
//! move, enter an indicator value. Each finds its target, checks the user's role (403 and
//! nothing written), checks the request against the state at `now`, then writes once; the event
//! records the user.

use std::io::Write as _;

use chrono::NaiveDate;

use super::{App, Fail, access, auth};
use axum::http::StatusCode;

use crate::diag::Lang;
use crate::store::User;
use crate::track::{self, Action, NewEvent, Request};

/// A report as a form or the API states it: `done`, `partial` or `not_done` and its fields.
pub fn report_request(
    kind: &str,
    on: Option<NaiveDate>,
    percent: Option<u8>,
    reason: Option<String>,
    noted: bool,
) -> Result<Request, Fail> {
    match kind {
        "done" => Ok(Request::Done { on }),
        "partial" => Ok(Request::Partial { percent, noted }),
        "not_done" => Ok(Request::NotDone { reason: reason.unwrap_or_default() }),
        _ => Err(Fail::bad(format!(
            "«{kind}»: сообщить можно done (выполнено), partial (частично) или not_done (не выполнено)"
        ))),
    }
}

/// A two-way decision by its word: `yes` is true, `no` false.
pub fn decision(word: &str, yes: &str, no: &str) -> Result<bool, Fail> {
    match word {
        w if w == yes => Ok(true),
        w if w == no => Ok(false),
        other => Err(Fail::bad(format!("решение «{other}»: ожидается {yes} или {no}"))),
    }
}

/// An uploaded evidence file, held until the report is accepted.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

fn event(
    user: &User,
    occurrence: Option<&str>,
    action: Action,
    note: Option<String>,
    evidence: Vec<String>,
    app: &App,
) -> NewEvent {
    NewEvent {
        occurrence: occurrence.map(str::to_string),
        action,
        note: note.filter(|n| !n.trim().is_empty()),
        evidence,
        author: user.login.clone(),
        recorded_at: app.now(),
        batch: None,
    }
}

/// Who may write about an occurrence (see [`access`]).
type Need = fn(&User, &crate::check::Unit, &crate::compile::Occurrence) -> bool;

/// The view and the occurrence's position in it, when the user may write about it (404, 403).
fn located(app: &App, user: &User, id: &str, need: Need) -> Result<(std::sync::Arc<super::state::View>, usize), Fail> {
    let view = app.view()?;
    let i = view.plan.position(id).ok_or_else(|| Fail::not_found(format!("нет срока «{id}»")))?;
    let o = &view.plan.occurrences[i];
    if !need(user, &view.workspace().units[o.unit], o) {
        return Err(Fail::forbidden());
    }
    Ok((view, i))
}

/// The event a request about an occurrence becomes, after checking the user may write about it
/// (403) and the request against the occurrence's state now (409 when already done, else 422).
fn checked(app: &App, user: &User, id: &str, need: Need, request: Request) -> Result<Action, Fail> {
    let (view, i) = located(app, user, id, need)?;
    let o = &view.plan.occurrences[i];
    let report = view.report();
    let today = o.local_date(view.now);
    track::check(request, report.occurrences.get(i), today).map_err(|refusal| {
        let status = if refusal.is_repeat() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
        let fail = Fail::new(status, refusal.message(id).get(Lang::Ru));
        match refusal.field() {
            Some(field) => fail.at(field),
            None => fail,
        }
    })
}

/// Records a report; returns the event number.
pub fn report(
    app: &App,
    user: &User,
    id: &str,
    request: Request,
    note: Option<String>,
    link: Option<String>,
    upload: Option<Upload>,
) -> Result<i64, Fail> {
    let action = checked(app, user, id, access::may_report, request)?;
    let mut evidence: Vec<String> = link.into_iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    if let Some(l) = evidence.first() {
        if !(l.starts_with("https://") || l.starts_with("http://")) {
            return Err(Fail::bad("ссылка на подтверждение должна начинаться с https:// или http://").at("evidence"));
        }
    }
    let saved = match upload.filter(|u| !u.bytes.is_empty()) {
        Some(u) => Some(save(app, &u)?),
        None => None,
    };
    if let Some((name, _)) = &saved {
        evidence.push(format!("/files/{name}"));
    }
    let written = app.store(|s| s.append(&[event(user, Some(id), action, note, evidence, app)]));
    match written {
        Ok(ids) => Ok(ids[0]),
        Err(e) => {
            // Nothing recorded: the file goes too.
            if let Some((_, path)) = saved {
                let _ = std::fs::remove_file(path);
            }
            Err(e)
        }
    }
}

/// A file name reduced to its last component and safe characters.
pub fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect::<String>()
        .trim_start_matches('.')
        .chars()
        .take(100)
        .collect();
    if cleaned.is_empty() { "файл".into() } else { cleaned }
}

/// Saves an upload inside the upload directory under a fresh name: written whole, then renamed.
fn save(app: &App, upload: &Upload) -> Result<(String, std::path::PathBuf), Fail> {
    let dir = &app.config.uploads;
    let failed =
        |e: std::io::Error| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, format!("не удалось сохранить файл: {e}"));
    std::fs::create_dir_all(dir).map_err(failed)?;
    let name = format!("{}-{}", auth::secret(8), safe_name(&upload.name));
    let path = dir.join(&name);
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    file.write_all(&upload.bytes).map_err(failed)?;
    file.persist(&path).map_err(|e| failed(e.error))?;
    Ok((name, path))
}

/// Asks to move a deadline; returns the request number.
pub fn request_move(app: &App, user: &User, id: &str, to: NaiveDate, reason: &str) -> Result<i64, Fail> {
    let request = Request::AskMove { to, reason: reason.trim().to_string() };
    checked(app, user, id, access::may_report, request)?;
    let at = app.now().to_rfc3339();
    app.store(|s| s.request_move(id, to, reason.trim(), &user.login, &at))
}

/// Accepts (снять с контроля) or rejects a report.
pub fn review(app: &App, user: &User, id: &str, accept: bool, reason: Option<String>) -> Result<i64, Fail> {
    let request = if accept { Request::Accept } else { Request::Reject { reason: reason.unwrap_or_default() } };
    let action = checked(app, user, id, |u, unit, _| access::may_review(u, unit), request)?;
    app.store(|s| s.append(&[event(user, Some(id), action, None, Vec::new(), app)])).map(|ids| ids[0])
}

/// Approves or declines a request to move a deadline; an approved one is recorded as a move.
pub fn decide(app: &App, user: &User, request: i64, approve: bool) -> Result<Option<i64>, Fail> {
    let all = app.store(|s| s.move_requests(None))?;
    let r = all.iter().find(|r| r.id == request).ok_or_else(|| Fail::not_found(format!("нет запроса № {request}")))?;
    located(app, user, &r.occurrence, |u, unit, _| access::may_review(u, unit))?;
    let moved = Action::Moved { to: r.date, reason: r.reason.clone(), approved_by: user.name.clone() };
    let e = event(
        user,
        Some(&r.occurrence),
        moved,
        Some(format!("по запросу № {} ({})", r.id, r.requested_by)),
        Vec::new(),
        app,
    );
    let at = app.now().to_rfc3339();
    app.pool.with(|s| s.decide_move(request, approve, &user.login, &at, Some(&e))).map_err(|e| match e {
        crate::store::StoreError::Conflict(m) => Fail::new(StatusCode::CONFLICT, m),
        other => Fail::store(other),
    })
}

/// An indicator value as entered.
pub struct Reading {
    pub indicator: String,
    pub period: String,
    /// As typed: a decimal comma is fine.
    pub value: String,
    /// The executor measured; none for the whole roadmap.
    pub executor: Option<String>,
    pub source: Option<String>,
}

/// Records an indicator value.
pub fn enter_value(app: &App, user: &User, roadmap: &str, reading: Reading) -> Result<i64, Fail> {
    let Reading { indicator, period, value, executor, source } = reading;
    let (indicator, executor) = (indicator.as_str(), executor.as_deref());
    let view = app.view()?;
    let unit = view
        .workspace()
        .units
        .iter()
        .find(|u| u.id == roadmap)
        .ok_or_else(|| Fail::not_found(format!("нет дорожной карты «{roadmap}»")))?;
    let executor = executor.filter(|e| !e.is_empty());
    if !access::may_enter_value(user, unit, executor) {
        return Err(Fail::forbidden());
    }
    if !unit.indicators.iter().any(|i| i == indicator) {
        return Err(Fail::bad(format!("неизвестный показатель «{indicator}»")));
    }
    if let Some(e) = executor {
        if !unit.executors.contains_key(e) {
            return Err(Fail::bad(format!("неизвестный исполнитель «{e}»")));
        }
    }
    let period = period.trim();
    if let Err(e) = crate::model::period::Period::parse(period) {
        let hint = e.hint.map(|h| format!("; {}", h.ru)).unwrap_or_default();
        return Err(Fail::bad(format!("{}{hint}", e.message.ru)));
    }
    let value: f64 = value.trim().replace(',', ".").parse().map_err(|_| Fail::bad(format!("«{value}» — не число")))?;
    if !value.is_finite() {
        return Err(Fail::bad("значение должно быть числом"));
    }
    let action = Action::Value {
        indicator: indicator.to_string(),
        executor: executor.map(str::to_string),
        period: period.to_string(),
        value,
        source: source.filter(|s| !s.trim().is_empty()),
    };
    app.store(|s| s.append(&[event(user, None, action, None, Vec::new(), app)])).map(|ids| ids[0])
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn uploaded_names_lose_their_paths() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(safe_name("акт приёмки.pdf"), "акт_приёмки.pdf");
        assert_eq!(safe_name(".."), "файл");
        assert_eq!(safe_name("/"), "файл");
    }
}
