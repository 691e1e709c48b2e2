//! What compiling reads of a document. A plan is made of the activities' ids, executors,
//! deadlines and links, and of the roadmap's period, zone, approval and directories; the text
//! written for people — titles, expected results, notes, extra columns, goals, the protocol's
//! agenda and the wording of its decisions — never enters it. The cache keys a kept plan by each
//! document as compiling reads it, so that an edit of that text keeps the plan (the warnings
//! are located again in the file as it reads now). The test below compiles the bundled and a
//! generated region both ways and requires the same plan.

use crate::model::{Decision, Document};

/// `document` with the text compiling never reads left empty.
pub fn as_read(document: &Document) -> Document {
    let mut read = document.clone();
    match &mut read {
        Document::Roadmap(r) => {
            r.title.clear();
            r.basis = None;
            r.goals.clear();
            r.notes = None;
            for section in &mut r.sections {
                section.title.clear();
                for a in &mut section.activities {
                    a.title.clear();
                    a.tasks.clear();
                    a.executors_text = None;
                    a.result = None;
                    a.columns.clear();
                    a.notes = None;
                }
            }
        }
        Document::Protocol(p) => {
            p.title.clear();
            p.place = None;
            p.attendees.clear();
            p.agenda.clear();
            wording_left_out(&mut p.decisions);
        }
        Document::Directory(_) => {}
    }
    read
}

fn wording_left_out(decisions: &mut [Decision]) {
    for d in decisions {
        d.text.clear();
        d.items.clear();
        wording_left_out(&mut d.decisions);
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::calendar::Calendar;
    use crate::compile::{Plan, compile};

    /// The plan of `files`, each document as written, or as compiling reads it.
    fn plan(files: &[PathBuf], read_only: bool) -> Plan {
        let mut checked = crate::check::check_files(files, Calendar::russia());
        if read_only {
            for l in &mut checked.documents {
                l.document = Arc::new(as_read(&l.document));
            }
        }
        let workspace = checked.into_workspace().expect("the roadmaps check");
        compile(&workspace, Calendar::russia().for_region(workspace.region())).expect("they compile")
    }

    fn same_plan(files: &[PathBuf]) {
        let (written, read) = (plan(files, false), plan(files, true));
        assert!(!written.occurrences.is_empty());
        assert_eq!(written.occurrences, read.occurrences);
        assert_eq!(format!("{:?}", written.warnings), format!("{:?}", read.warnings));
        assert_eq!(written.sites, read.sites);
    }

    #[test]
    fn the_text_left_out_changes_nothing_in_the_bundled_plans() {
        let bundled = concat!(env!("CARGO_MANIFEST_DIR"), "/roadmaps");
        let files = crate::check::collect_files(&[PathBuf::from(bundled)]).expect("the bundled roadmaps");
        same_plan(&files);
        // Something was left out: titles, at least.
        let checked = crate::check::check_files(&files, Calendar::russia());
        let Document::Roadmap(r) = &*checked.documents[0].document else { panic!("a roadmap first") };
        let Document::Roadmap(left) = as_read(&checked.documents[0].document) else { panic!("still a roadmap") };
        assert!(!r.title.is_empty() && left.title.is_empty());
    }

    #[test]
    fn the_text_left_out_changes_nothing_in_a_generated_region() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        crate::synthetic::workspace(dir.path(), 600, &mut crate::synthetic::Rng::new(7)).expect("a generated region");
        let files = crate::check::collect_files(&[dir.path().join("roadmaps")]).expect("its roadmaps");
        same_plan(&files);
    }
}
