//! Documents to download: every document of `karta render` for a roadmap (`/r/{roadmap}/doc/…`),
//! made in the blocking pool from the view at `now`, and the response a document is sent as
//! (the amending orders of [`super::versions`] go out the same way).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{Page, run};
use super::{App, Fail, Session, data};
use crate::render::{self, Kind, Output, Sources};

/// A document of the roadmap (`status.docx`, `roadmap.pdf`, …).
pub async fn document(State(app): State<Arc<App>>, _s: Session, Path((id, file)): Path<(String, String)>) -> Page {
    let (kind, ext) = file.rsplit_once('.').ok_or_else(|| Fail::not_found(format!("нет документа «{file}»")))?;
    let kind = <Kind as clap::ValueEnum>::from_str(kind, false)
        .map_err(|_| Fail::not_found(format!("нет документа «{file}»")))?;
    let output = Output::parse(ext).ok_or_else(|| Fail::not_found(format!("нет формата «{ext}»")))?;
    // The amending order is made from approved versions: the draft of the next one.
    if kind == Kind::Amendment {
        return Ok(Redirect::to(&format!("/r/{}/versions/working/amendment.{ext}", data::encode(&id))).into_response());
    }
    run(move || {
        let view = app.view()?;
        let report = view.report();
        let sources = Sources {
            workspace: view.workspace(),
            report: Some(&report),
            events: &view.events,
            previous: None,
            now: view.now,
            today: view.today(),
            deadlines: None,
            amendment: None,
        };
        let doc = render::document(&app.templates, kind, output, Some(&id), &sources).map_err(not_made)?;
        Ok(download(&format!("{id}-{}", kind.name()), output, doc.bytes))
    })
    .await
}

/// Why a document was not made, as a failure: what does not exist is 404, the rest a server error.
pub(super) fn not_made(e: render::DocumentError) -> Fail {
    match e {
        render::DocumentError::Unknown { .. }
        | render::DocumentError::Missing { .. }
        | render::DocumentError::NoXlsx { .. }
        | render::DocumentError::NoVersion => Fail::not_found(e.to_string()),
        other => Fail::new(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
    }
}

/// A document as a response: HTML shown in the browser, the other formats as a file `stem.ext`.
pub(super) fn download(stem: &str, output: Output, bytes: Vec<u8>) -> Response {
    let disposition = if output == Output::Html {
        "inline".to_string()
    } else {
        format!("attachment; filename=\"{stem}.{}\"", output.extension())
    };
    ([(header::CONTENT_TYPE, output.mime().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}
