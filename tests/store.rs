//! The store's contract, on both backends (a real SQLite file, a real PostgreSQL database):
//! events round-trip exactly; the log refuses UPDATE, DELETE and TRUNCATE from anyone, karta or
//! not; a failed batch writes nothing; `karta store copy` moves everything both ways with
//! identical `karta export` output and refuses to run twice; over PostgreSQL, one connection
//! leads at a time and two senders never take one message. Approved versions of roadmaps
//! round-trip with their files and carries, are numbered per roadmap, are recorded all or
//! nothing, refuse the same order twice, and refuse every change as the log does.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Barrier, Mutex};

use chrono::{DateTime, NaiveDate};
use karta::store::{
    self, Carry, Delivery, NewUser, NewVersion, Notice, Order, Outgoing, Role, Rule, Store, StoreError, VersionFile,
};
use karta::track::{Action, NewEvent};
use support::Backend;

fn event(occurrence: &str, action: Action) -> NewEvent {
    NewEvent {
        occurrence: Some(occurrence.into()),
        action,
        note: Some("комментарий".into()),
        evidence: vec!["https://example.org/акт.pdf".into()],
        author: "Иванова".into(),
        recorded_at: DateTime::parse_from_rfc3339("2023-10-16T09:00:00+10:00").expect("time"),
        batch: None,
    }
}

fn every_action() -> Vec<NewEvent> {
    let d = NaiveDate::from_ymd_opt(2023, 10, 16).expect("date");
    [
        Action::Done { on: d },
        Action::Partial { percent: Some(40) },
        Action::NotDone { reason: "нет связи".into() },
        Action::Cancelled { document: "приказ № 401".into() },
        Action::Moved { to: d, reason: "каникулы".into(), approved_by: "Черепанов Д.Г.".into() },
        Action::Value {
            indicator: "ege".into(),
            executor: Some("mo-lazo".into()),
            period: "2024".into(),
            value: 0.6,
            source: None,
        },
        Action::Accepted,
        Action::Rejected { reason: "нет акта".into() },
        Action::Correction { supersedes: 1, reason: "ошибка".into() },
    ]
    .into_iter()
    .enumerate()
    .map(|(i, a)| NewEvent {
        // Offsets differ: an instant keeps the offset it was recorded in.
        recorded_at: DateTime::parse_from_rfc3339(&format!("2023-10-16T09:0{i}:00+0{}:00", 3 + i % 7)).expect("t"),
        ..event("r/a@2023-10-17", a)
    })
    .collect()
}

fn open(db: &str) -> Box<dyn Store> {
    store::open(Path::new(db)).expect("open the store")
}

fn events_round_trip(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let db = backend.db(dir.path());
    let written = every_action();
    let ids = open(&db).append(&written).expect("append");
    assert_eq!(ids, (1..=9).collect::<Vec<_>>());
    let store = open(&db);
    let events = store.events().expect("read");
    // In the order recorded: the instants, whatever their offsets, then ids.
    let order: Vec<i64> = events.iter().map(|e| e.id).collect();
    let mut expected: Vec<i64> = ids.clone();
    expected.sort_by_key(|&id| (written[id as usize - 1].recorded_at.timestamp(), id));
    assert_eq!(order, expected);
    let mut read = events;
    read.sort_by_key(|e| e.id);
    assert_eq!(read.into_iter().map(|e| e.event).collect::<Vec<_>>(), written);
    assert_eq!(store.last_event().expect("last"), 9);
    assert_eq!(store.event(5).expect("one").map(|e| e.event), Some(written[4].clone()));
    assert_eq!(store.integrity().expect("check"), "ok");
}

/// Raw SQL from outside karta, as the store's owner: every way of changing the log is refused.
fn the_log_refuses_changes_from_anyone(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let db = backend.db(dir.path());
    open(&db).append(&every_action()).expect("append");
    let attempts = ["UPDATE events SET author = 'x'", "DELETE FROM events", "DELETE FROM events WHERE id = 3"];
    for sql in attempts {
        let refused = match backend {
            Backend::Sqlite => {
                rusqlite::Connection::open(&db).expect("raw").execute(sql, []).map_err(|e| e.to_string()).err()
            }
            Backend::Postgres => support::pg::try_sql(database(&db), sql).err(),
        };
        let why = refused.unwrap_or_else(|| panic!("{sql} was allowed"));
        assert!(why.contains("append-only"), "{sql}: {why}");
    }
    if backend == Backend::Postgres {
        let why = support::pg::try_sql(database(&db), "TRUNCATE events CASCADE").expect_err("TRUNCATE was allowed");
        assert!(why.contains("append-only"), "{why}");
    }
    assert_eq!(open(&db).events().expect("read").len(), 9);
    assert_eq!(open(&db).integrity().expect("check"), "ok");
    // With a trigger gone, karta's own check says so.
    unguard(backend, &db, "events", "events_no_update");
    let said = open(&db).integrity().expect("check");
    assert_eq!(said, "не защищены от изменения, триггеры сняты: события");
}

/// Takes a guard off a table behind karta's back: SQLite drops the trigger (it cannot disable
/// one), PostgreSQL disables it.
fn unguard(backend: Backend, db: &str, table: &str, trigger: &str) {
    match backend {
        Backend::Sqlite => rusqlite::Connection::open(db)
            .expect("raw")
            .execute_batch(&format!("DROP TRIGGER {trigger}"))
            .expect("drop"),
        Backend::Postgres => support::pg::sql(database(db), &format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}")),
    }
}

/// The database name of a test server URL.
fn database(url: &str) -> &str {
    url.rsplit('/').next().expect("database")
}

fn a_failed_batch_writes_nothing(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let db = backend.db(dir.path());
    let mut store = open(&db);
    let bad = NewEvent { action: Action::Partial { percent: Some(101) }, ..event("r/a@2023-10-17", Action::Accepted) };
    let good = event("r/a@2023-10-17", Action::Accepted);
    let err = store.append(&[good.clone(), bad]).expect_err("refused");
    assert!(err.to_string().starts_with("не удалось записать в базу (ничего не записано)"), "{err}");
    assert!(store.events().expect("read").is_empty());
    // The next append is numbered as if nothing happened... or not: ids may skip, they never repeat.
    let ids = store.append(&[good]).expect("append");
    assert_eq!(store.events().expect("read").iter().map(|e| e.id).collect::<Vec<_>>(), ids);
}

/// A store with something in every table: the season's events, a planned and a sent notice,
/// users with bindings, a session, a token, failed logins, a decided move request.
fn populate(store: &mut dyn Store) {
    store.append(&every_action()).expect("events");
    let now = DateTime::parse_from_rfc3339("2023-10-16T10:00:00+10:00").expect("now");
    let notice = |key: &str| Notice {
        key: key.into(),
        rule: "reminder".into(),
        occurrence: Some("r/a@2023-10-17".into()),
        roadmap: "r".into(),
        recipient: "school@test.example".into(),
        name: "Школа № 1".into(),
        tz: "Asia/Vladivostok".into(),
        day: NaiveDate::from_ymd_opt(2023, 10, 16).expect("d"),
        expires: NaiveDate::from_ymd_opt(2023, 10, 17).expect("d"),
        payload: serde_json::value::RawValue::from_string(r#"{"title":"Отчёт"}"#.into()).expect("json"),
    };
    assert_eq!(store.plan_notices(&[notice("a"), notice("b")], now).expect("plan"), 2);
    let message = Outgoing {
        message_id: "<m1@karta>".into(),
        recipient: "school@test.example".into(),
        subject: "Напоминание".into(),
        eml: "Subject: =?utf-8?b?0J3QsNC/?=\r\n\r\nтело\r\n".as_bytes().to_vec(),
        attempts: 0,
        created: now,
        answers: None,
    };
    store.compose(&message, &[1]).expect("compose");
    store.delivered("<m1@karta>", None, now).expect("delivered");
    // A chat message, posted as 42 and answering 41.
    let chat = Outgoing {
        message_id: "<c1@telegram.karta>".into(),
        recipient: "telegram:-100123".into(),
        subject: "Ответ karta".into(),
        eml: "Записано.".as_bytes().to_vec(),
        attempts: 0,
        created: now,
        answers: Some("41".into()),
    };
    store.compose(&chat, &[]).expect("compose chat");
    store.delivered("<c1@telegram.karta>", Some("42"), now).expect("delivered chat");
    assert_eq!(store.posted_as("telegram:-100123", "42").expect("posted").as_deref(), Some("<c1@telegram.karta>"));
    store.set_cursor("telegram", "501").expect("cursor");
    for (login, role) in [("admin", Role::Admin), ("coord", Role::Coordinator)] {
        store
            .add_user(&NewUser {
                login,
                name: "Пользователь",
                role,
                organisation: None,
                email: Some("u@test.example"),
                password: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
                feed: &format!("feed-{login}"),
                created_at: "2023-10-16T10:00:00+10:00",
            })
            .expect("user");
    }
    store.bind("coord", &["mo-lazo".into(), "mo-amursky".into()]).expect("bind");
    store.start_session(1, "session-hash", "csrf", now.timestamp() + 3600).expect("session");
    store.add_token("admin", "token-hash", "тест", "2023-10-16T10:00:00+10:00").expect("token");
    store.login_failed(&["login:admin", "ip:127.0.0.1"], now.timestamp()).expect("failure");
    let id = store
        .request_move("r/a@2023-10-17", NaiveDate::from_ymd_opt(2023, 11, 1).expect("d"), "каникулы", "coord", "t")
        .expect("request");
    let moved = event(
        "r/a@2023-10-17",
        Action::Moved {
            to: NaiveDate::from_ymd_opt(2023, 11, 1).expect("d"),
            reason: "каникулы".into(),
            approved_by: "admin".into(),
        },
    );
    store.decide_move(id, true, "admin", "t", Some(&moved)).expect("decide");
    store.approve(&baseline("r")).expect("baseline of r");
    store.approve(&amendment("r")).expect("amendment of r");
    store.approve(&baseline("lazo")).expect("baseline of lazo");
    // Replies to notices: the tokens' key and a handled message (with its answer in the outbox).
    assert_eq!(
        store.secret("reply-token-key", "00112233445566778899aabbccddeeff").expect("key"),
        "00112233445566778899aabbccddeeff"
    );
    let mark = karta::store::Handled {
        message_id: "r1@school.example".into(),
        sender: "school@test.example".into(),
        outcome: karta::store::Outcome::Recorded,
        detail: "выполнено".into(),
        at: now,
    };
    assert_eq!(store.handle(&mark, &[], &[], None).expect("handled"), Some(Vec::new()));
    assert_eq!(store.handle(&mark, &[], &[], None).expect("handled again"), None, "once");
    // A chat user linked to `coord` by a one-time code, spent by the link.
    let coord = store.user("coord").expect("read").expect("coord");
    store.issue_link_code(coord.id, "digest-of-code", now + chrono::Duration::minutes(15)).expect("code");
    let link = karta::store::ChatLink {
        messenger: "telegram".into(),
        chat_user: "777".into(),
        name: "Анна".into(),
        linked_at: now.to_rfc3339(),
    };
    let linking = |key: &str| karta::store::Handled { message_id: key.into(), ..mark.clone() };
    let mut answer =
        |_: Option<&karta::store::User>| Outgoing { message_id: "<a1@telegram.karta>".into(), ..chat.clone() };
    let linked = store.link_chat("digest-of-code", &link, &linking("telegram:777:1"), &mut answer).expect("link");
    assert_eq!(linked, karta::store::Linking::Linked(coord.clone()));
    let mut answer =
        |_: Option<&karta::store::User>| Outgoing { message_id: "<a2@telegram.karta>".into(), ..chat.clone() };
    let spent = store.link_chat("digest-of-code", &link, &linking("telegram:777:2"), &mut answer).expect("spent");
    assert_eq!(spent, karta::store::Linking::BadCode, "a code links once");
    assert_eq!(store.chat_account("telegram", "777").expect("account"), Some(coord));
}

fn karta(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_karta")).args(args).env_remove("KARTA_DB").output().expect("karta")
}

fn export(db: &str) -> Vec<u8> {
    let out = karta(&["export", "--db", db]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// To the other backend and back: every table arrives, the export is byte for byte the same,
/// a second run is refused and writes nothing.
fn a_copy_there_and_back_keeps_everything(backend: Backend) {
    let other = match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    let dir = tempfile::tempdir().expect("dir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).expect("a");
    std::fs::create_dir_all(&b).expect("b");
    let source = backend.db(&a);
    let there = other.db(&b);
    populate(open(&source).as_mut());
    let before = open(&source).contents().expect("contents");

    let out = karta(&["store", "copy", "--from", &source, "--to", &there]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("события: 10, письма: 4, уведомления: 2, пользователи: 2, сеансы: 1, API-токены: 1"),
        "{said}"
    );
    assert!(said.contains("версии дорожных карт: 3, файлы версий: 6, переходы отчётов: 3"), "{said}");
    assert!(said.contains("ключи: 1, обработанные ответы: 3, привязанные чаты: 1, прочитанное ботами: 1"), "{said}");
    assert!(said.contains(&before.digest()), "{said}");
    assert_eq!(export(&there), export(&source));
    let arrived = open(&there).contents().expect("contents");
    assert_eq!(serde_json::to_value(&arrived).expect("json"), serde_json::to_value(&before).expect("json"));
    assert_eq!(before.versions.len(), 3);
    assert_eq!(all_versions(open(&there).as_ref()), all_versions(open(&source).as_ref()));

    // Again: refused, nothing written.
    let again = karta(&["store", "copy", "--from", &source, "--to", &there]);
    assert_eq!(again.status.code(), Some(1), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(String::from_utf8_lossy(&again.stderr).contains("в базе назначения уже есть данные"));
    assert_eq!(open(&there).contents().expect("contents").digest(), before.digest());

    // And back into a new store of the first kind.
    let c = dir.path().join("c");
    std::fs::create_dir_all(&c).expect("c");
    let back = backend.db(&c);
    let out = karta(&["store", "copy", "--from", &there, "--to", &back]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(export(&back), export(&source));
    assert_eq!(all_versions(open(&back).as_ref()), all_versions(open(&source).as_ref()));
    // New rows go on after the copied ids.
    let ids = open(&back).append(&[event("r/b@2023-10-17", Action::Accepted)]).expect("append");
    assert_eq!(ids, vec![11]);
    let next = NewVersion { order: order("приказ", "12", 2024, 3, 1), ..amendment("lazo") };
    let approved = open(&back).approve(&next).expect("approve after the copy");
    assert_eq!((approved.id, approved.number), (4, 2));
}

/// Every version with its files, and every carry, as the trait gives them.
type AllVersions = (Vec<(store::Version, Vec<VersionFile>)>, Vec<(i64, Carry)>);

fn all_versions(store: &dyn Store) -> AllVersions {
    let versions = store.versions(None).expect("versions");
    let with_files = versions
        .into_iter()
        .map(|v| {
            let files = store.version_files(v.id).expect("files");
            (v, files)
        })
        .collect();
    (with_files, store.carries().expect("carries"))
}

fn order(document: &str, number: &str, y: i32, m: u32, d: u32) -> Order {
    Order { document: document.into(), number: number.into(), date: NaiveDate::from_ymd_opt(y, m, d).expect("date") }
}

/// The first version of `roadmap`: its file and one include, in Russian.
fn baseline(roadmap: &str) -> NewVersion {
    NewVersion {
        roadmap: roadmap.into(),
        order: order("приказ", "380", 2023, 10, 2),
        approved_by: "Черепанов Д.Г.".into(),
        recorded_at: DateTime::parse_from_rfc3339("2023-10-03T11:15:00+10:00").expect("time"),
        files: vec![
            VersionFile {
                path: format!("{roadmap}.yaml"),
                text: "title: «Дорожная карта» по повышению качества образования\ninclude: [мероприятия.yaml]\n".into(),
            },
            VersionFile {
                path: "мероприятия.yaml".into(),
                text: "- id: \"1.1\"\n  title: Совещание с руководителями школ — «ЕГЭ-2024»\n".into(),
            },
        ],
        carries: vec![],
    }
}

/// The second version of `roadmap`: one activity moved, one renumbered, one removed.
fn amendment(roadmap: &str) -> NewVersion {
    let base = baseline(roadmap);
    NewVersion {
        order: order("распоряжение", "23-35-1791", 2023, 12, 14),
        approved_by: "Иванова А.А.".into(),
        recorded_at: DateTime::parse_from_rfc3339("2023-12-15T09:00:00+03:00").expect("time"),
        files: vec![
            base.files[0].clone(),
            VersionFile {
                path: "мероприятия.yaml".into(),
                text: "- id: \"1.1\"\n  title: Совещание с руководителями школ — «ЕГЭ-2024» (перенесено)\n".into(),
            },
        ],
        carries: vec![
            Carry {
                from: format!("{roadmap}/1.1@2023-10-20"),
                to: Some(format!("{roadmap}/1.1@2023-11-10")),
                rule: Rule::Moved,
                point: "1.1".into(),
                title: "Совещание с руководителями школ".into(),
            },
            Carry {
                from: format!("{roadmap}/1.2@2023-11-01"),
                to: Some(format!("{roadmap}/2.1@2023-11-01")),
                rule: Rule::Renumbered,
                point: "1.2".into(),
                title: "Семинар «Трудные задания ЕГЭ»".into(),
            },
            Carry {
                from: format!("{roadmap}/1.3@2023-12-01"),
                to: None,
                rule: Rule::Removed,
                point: "1.3".into(),
                title: "Пробный экзамен".into(),
            },
        ],
        ..base
    }
}

/// What a store holds in the three tables of versions, counted by the store itself.
fn version_rows(store: &dyn Store) -> Vec<(&'static str, usize)> {
    let summary = store.contents_summary().expect("summary");
    summary
        .into_iter()
        .filter(|(t, _)| ["версии дорожных карт", "файлы версий", "переходы отчётов"].contains(t))
        .collect()
}

/// A baseline and an amendment, read back through a new connection exactly as approved: the
/// order, who and when (in the offset given), the files' text in order, the carries.
fn versions_round_trip(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let db = backend.db(dir.path());
    let (first, second) = (baseline("lazo-2023-2024"), amendment("lazo-2023-2024"));
    let mut store = open(&db);
    let v1 = store.approve(&first).expect("baseline");
    let v2 = store.approve(&second).expect("amendment");
    assert_eq!((v1.number, v2.number), (1, 2));
    assert_eq!(v1.order, first.order);
    assert_eq!(v2.approved_by, "Иванова А.А.");
    drop(store);

    let store = open(&db);
    let read = store.versions(Some("lazo-2023-2024")).expect("versions");
    assert_eq!(read, vec![v1.clone(), v2.clone()]);
    assert_eq!(read[1].recorded_at.to_rfc3339(), "2023-12-15T09:00:00+03:00", "the offset given is kept");
    assert_eq!(store.version_files(v1.id).expect("files"), first.files);
    assert_eq!(store.version_files(v2.id).expect("files"), second.files);
    assert_eq!(
        store.carries().expect("carries"),
        second.carries.iter().map(|c| (v2.id, c.clone())).collect::<Vec<_>>()
    );
    assert!(store.versions(Some("другая")).expect("versions").is_empty());
    assert!(store.version_files(v2.id + 100).expect("files").is_empty());
    assert_eq!(
        version_rows(store.as_ref()),
        [("версии дорожных карт", 2), ("файлы версий", 4), ("переходы отчётов", 3)]
    );
    assert_eq!(store.integrity().expect("check"), "ok");
}

/// Each roadmap counts its own versions; the same order may approve two roadmaps; the list of
/// every version goes by roadmap, then number.
fn version_numbers_are_per_roadmap(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let db = backend.db(dir.path());
    let mut store = open(&db);
    let a1 = store.approve(&baseline("lazo")).expect("lazo 1");
    let b1 = store.approve(&baseline("amursky")).expect("amursky 1");
    let a2 = store.approve(&amendment("lazo")).expect("lazo 2");
    let a3 = store
        .approve(&NewVersion { order: order("приказ", "12", 2024, 3, 1), carries: vec![], ..amendment("lazo") })
        .expect("lazo 3");
    let b2 = store.approve(&amendment("amursky")).expect("amursky 2");
    let numbers: Vec<String> =
        store.versions(None).expect("all").into_iter().map(|v| format!("{} {}", v.roadmap, v.number)).collect();
    assert_eq!(numbers, ["amursky 1", "amursky 2", "lazo 1", "lazo 2", "lazo 3"]);
    assert_eq!(store.versions(Some("lazo")).expect("lazo"), vec![a1.clone(), a2.clone(), a3.clone()]);
    assert_eq!(store.versions(Some("amursky")).expect("amursky"), vec![b1.clone(), b2.clone()]);
    // Ids are the store's, in the order approved; carries follow them.
    assert_eq!([a1.id, b1.id, a2.id, a3.id, b2.id], [1, 2, 3, 4, 5]);
    let carried: Vec<i64> = store.carries().expect("carries").into_iter().map(|(v, _)| v).collect();
    assert_eq!(carried, [3, 3, 3, 5, 5, 5]);
}

/// The same order for the same roadmap again is refused, says which version holds it, and
/// writes nothing; the same number on another date is another order.
fn the_same_order_twice_is_a_conflict(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let db = backend.db(dir.path());
    let mut store = open(&db);
    let first = store.approve(&baseline("lazo-2023-2024")).expect("baseline");
    let again = NewVersion { order: first.order.clone(), ..amendment("lazo-2023-2024") };
    let err = store.approve(&again).expect_err("the same order twice");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "версия дорожной карты lazo-2023-2024 по приказу от 02.10.2023 № 380 уже утверждена (версия 1)"
    );
    assert_eq!(store.versions(None).expect("versions"), vec![first.clone()]);
    assert_eq!(
        version_rows(store.as_ref()),
        [("версии дорожных карт", 1), ("файлы версий", 2), ("переходы отчётов", 0)]
    );
    let other_day = NewVersion { order: order("приказ", "380", 2024, 10, 2), ..again };
    assert_eq!(store.approve(&other_day).expect("another order").number, 2);
}

/// An approval that fails half-way (two carries from one occurrence) leaves no version, no
/// files, no carries; the next one is numbered as if it had never been tried.
fn a_failed_approval_writes_nothing(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let db = backend.db(dir.path());
    let mut store = open(&db);
    let mut bad = amendment("lazo");
    bad.carries.push(Carry {
        from: bad.carries[0].from.clone(),
        to: None,
        rule: Rule::Removed,
        ..bad.carries[0].clone()
    });
    let err = store.approve(&bad).expect_err("a carry twice");
    assert!(matches!(err, StoreError::Write(_)), "{err:?}");
    assert!(err.to_string().starts_with("не удалось записать в базу (ничего не записано)"), "{err}");
    assert!(store.versions(None).expect("versions").is_empty());
    assert!(store.carries().expect("carries").is_empty());
    assert_eq!(
        version_rows(store.as_ref()),
        [("версии дорожных карт", 0), ("файлы версий", 0), ("переходы отчётов", 0)]
    );

    let first = store.approve(&baseline("lazo")).expect("baseline");
    let err = store.approve(&NewVersion { order: order("приказ", "2", 2024, 1, 9), ..bad }).expect_err("again");
    assert!(matches!(err, StoreError::Write(_)), "{err:?}");
    assert_eq!(store.versions(None).expect("versions"), vec![first.clone()]);
    assert_eq!(store.version_files(first.id).expect("files"), baseline("lazo").files);
    assert_eq!(
        version_rows(store.as_ref()),
        [("версии дорожных карт", 1), ("файлы версий", 2), ("переходы отчётов", 0)]
    );
    assert_eq!(store.approve(&amendment("lazo")).expect("amendment").number, 2);
}

/// Raw SQL from outside karta, as the store's owner: no version, file or carry can be changed
/// or deleted (nor, in PostgreSQL, truncated); with a guard taken off, `integrity` says which.
fn approved_versions_refuse_changes_from_anyone(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let db = backend.db(dir.path());
    let mut store = open(&db);
    store.approve(&baseline("lazo")).expect("baseline");
    store.approve(&amendment("lazo")).expect("amendment");
    let before = all_versions(store.as_ref());
    drop(store);
    let mut attempts = vec![
        "UPDATE versions SET approved_by = 'x'",
        "UPDATE versions SET order_number = '381' WHERE number = 2",
        "DELETE FROM versions WHERE number = 2",
        "UPDATE version_files SET content = 'x'",
        "DELETE FROM version_files",
        "UPDATE carries SET target = NULL",
        "DELETE FROM carries WHERE rule = 'removed'",
    ];
    if backend == Backend::Postgres {
        attempts.extend(["TRUNCATE versions CASCADE", "TRUNCATE version_files", "TRUNCATE carries"]);
    }
    for sql in attempts {
        let refused = match backend {
            Backend::Sqlite => {
                rusqlite::Connection::open(&db).expect("raw").execute_batch(sql).map_err(|e| e.to_string()).err()
            }
            Backend::Postgres => support::pg::try_sql(database(&db), sql).err(),
        };
        let why = refused.unwrap_or_else(|| panic!("{sql} was allowed"));
        assert!(why.contains("append-only"), "{sql}: {why}");
    }
    assert_eq!(all_versions(open(&db).as_ref()), before);
    assert_eq!(open(&db).integrity().expect("check"), "ok");
    unguard(backend, &db, "carries", "carries_no_update");
    assert_eq!(open(&db).integrity().expect("check"), "не защищены от изменения, триггеры сняты: переходы отчётов");
    unguard(backend, &db, "version_files", "version_files_no_update");
    assert_eq!(
        open(&db).integrity().expect("check"),
        "не защищены от изменения, триггеры сняты: файлы версий, переходы отчётов"
    );
}

/// A store migrated by a newer karta is refused, not half-understood.
fn a_newer_schema_is_refused(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let db = backend.db(dir.path());
    drop(open(&db));
    match backend {
        Backend::Sqlite => {
            rusqlite::Connection::open(&db).expect("raw").pragma_update(None, "user_version", 99).expect("bump")
        }
        Backend::Postgres => support::pg::sql(database(&db), "UPDATE karta_schema SET version = 99"),
    }
    let err = store::open(Path::new(&db)).err().expect("refused");
    assert!(matches!(err, store::StoreError::TooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("создана более новой версией karta"), "{err}");
}

/// `n` events with instants from `start` minutes into a day, one a minute, by `author`.
fn batch(start: usize, n: usize, author: &str) -> Vec<NewEvent> {
    let day = DateTime::parse_from_rfc3339("2023-10-16T00:00:00+10:00").expect("day");
    (0..n)
        .map(|i| NewEvent {
            author: author.into(),
            recorded_at: day + chrono::Duration::minutes((start + i) as i64),
            ..every_action()[i % 9].clone()
        })
        .collect()
}

/// A command keeps the log it read (`karta.cache.log`, docs/performance.md) and reads from the
/// store only what was recorded since: after every batch, whatever its instants, it reads what
/// the store holds. A kept log of another store at the same place, or cut, or damaged, is read
/// whole again.
fn the_kept_log_reads_as_the_store_does(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    let cache_at = dir.path().join("karta.cache");
    let kept_at = dir.path().join("karta.cache.log");
    let through_cache =
        |store: &dyn Store| karta::cache::Cache::open(&cache_at).keeping_logs_from(0).events(store).expect("read");
    let kept = || std::fs::read(&kept_at).unwrap_or_default();
    let db = backend.db(&dir.path().join("one"));
    std::fs::create_dir_all(dir.path().join("one")).expect("dir");
    let mut store = open(&db);
    assert_eq!(through_cache(&*store), Vec::new());
    // (first instant, events): many (the kept log is written), a few (it is not: they are read
    // since), some recorded at earlier instants than the last, many again.
    for (start, n) in [(600, 300), (900, 5), (100, 7), (950, 3), (0, 400)] {
        store.append(&batch(start, n, "Иванова")).expect("append");
        let before = kept();
        let read = through_cache(&*store);
        assert_eq!(read, store.events().expect("the whole log"), "after {n} at minute {start}");
        if n < 256 {
            assert_eq!(kept(), before, "a few events since are read, the kept log stays");
        } else {
            assert_ne!(kept(), before, "the kept log is written again");
        }
    }
    // The store's side of it: the count up to the last id read decides.
    let all = store.events().expect("all");
    let last = all.iter().map(|e| e.id).max().expect("events");
    let newest: Vec<_> = all.iter().filter(|e| e.id >= last - 10).cloned().collect();
    assert_eq!(store.events_since(last - 10, all.len() - 10).expect("since"), Some(newest));
    assert_eq!(store.events_since(last - 10, all.len() - 11).expect("since"), None, "another count: read whole");

    // Another store at the same place, with as many events and the same ids, other authors.
    drop(store);
    let other_db = backend.db(&dir.path().join("two"));
    std::fs::create_dir_all(dir.path().join("two")).expect("dir");
    let mut other = open(&other_db);
    for (start, n) in [(600, 300), (900, 5), (100, 7), (950, 3), (0, 400)] {
        other.append(&batch(start, n, "Петрова")).expect("append");
    }
    assert_ne!(other.identity().expect("id"), open(&db).identity().expect("id"));
    assert_eq!(through_cache(&*other), other.events().expect("its log"), "not the other store's kept log");
    // Cut or damaged: read whole, kept again as it was.
    let whole = kept();
    for bad in [whole[..whole.len() / 2].to_vec(), {
        let mut b = whole.clone();
        b[whole.len() / 3] ^= 0x20;
        b
    }] {
        std::fs::write(&kept_at, bad).expect("damage");
        assert_eq!(through_cache(&*other), other.events().expect("its log"));
        assert_eq!(kept(), whole, "written again");
    }
    // By default a log is kept from 16,384 events on: this one is read from the store.
    let small = dir.path().join("small").join("karta.cache");
    std::fs::create_dir_all(dir.path().join("small")).expect("dir");
    let read = karta::cache::Cache::open(&small).events(&*other).expect("read");
    assert_eq!(read, other.events().expect("its log"));
    assert!(!dir.path().join("small").join("karta.cache.log").exists(), "a log of {} events is not kept", read.len());
    drop(other);
    if backend == Backend::Sqlite {
        put_back_and_written_to(&db, dir.path(), through_cache);
    }
}

/// An SQLite store put back from a copy and written to again: as many events under the same
/// ids as the log kept of it, the newest of them others. The log is read whole.
fn put_back_and_written_to(db: &str, dir: &Path, through_cache: impl Fn(&dyn Store) -> Vec<karta::track::Event>) {
    let copy = dir.join("copy.db");
    let files = |at: &str| ["", "-wal", "-shm"].map(|end| format!("{at}{end}"));
    for (from, to) in files(db).iter().zip(files(&copy.display().to_string())) {
        let _ = std::fs::copy(from, to);
    }
    let mut store = open(db);
    assert_eq!(through_cache(&*store), store.events().expect("the whole log"));
    store.append(&batch(2000, 300, "Иванова")).expect("append");
    assert_eq!(through_cache(&*store), store.events().expect("the whole log"));
    drop(store);
    for (from, to) in files(&copy.display().to_string()).iter().zip(files(db)) {
        let _ = std::fs::remove_file(&to);
        let _ = std::fs::copy(from, to);
    }
    let mut store = open(db);
    store.append(&batch(2000, 300, "Сидорова")).expect("append");
    assert_eq!(through_cache(&*store), store.events().expect("the whole log"), "put back and written to");
    // Its identity removed by hand: read whole, as ever.
    rusqlite::Connection::open(db).expect("raw").execute("DELETE FROM store_identity", []).expect("removed");
    store.append(&batch(4000, 3, "Сидорова")).expect("append");
    assert!(store.identity().is_err());
    assert_eq!(through_cache(&*store), store.events().expect("the whole log"), "without an identity");
}

on_both_backends!(
    the_kept_log_reads_as_the_store_does,
    a_newer_schema_is_refused,
    events_round_trip,
    the_log_refuses_changes_from_anyone,
    a_failed_batch_writes_nothing,
    a_copy_there_and_back_keeps_everything,
    versions_round_trip,
    version_numbers_are_per_roadmap,
    the_same_order_twice_is_a_conflict,
    a_failed_approval_writes_nothing,
    approved_versions_refuse_changes_from_anyone,
);

/// One connection leads; when it closes, the next one to ask leads.
#[test]
fn one_postgres_connection_leads_at_a_time() {
    let db = support::pg::database();
    let mut first = open(&db);
    let mut second = open(&db);
    assert!(first.lead().expect("lead"));
    assert!(first.lead().expect("still"), "the leader keeps leading");
    assert!(!second.lead().expect("lead"), "two leaders");
    drop(first);
    // The server lets the lock go when it sees the connection end: at once, or nearly.
    let took_over = (0..50).any(|_| {
        let led = second.lead().expect("lead");
        if !led {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        led
    });
    assert!(took_over, "nobody took over within 5 s");
}

/// Two senders at once over 20 messages: each message is sent exactly once, and both senders
/// sent some (a slow send does not hold the other back).
#[test]
fn two_postgres_senders_never_take_one_message() {
    let db = support::pg::database();
    let now = DateTime::parse_from_rfc3339("2023-10-16T10:00:00+10:00").expect("now");
    let mut store = open(&db);
    for i in 0..20 {
        let message = Outgoing {
            message_id: format!("<m{i:02}@karta>"),
            recipient: "school@test.example".into(),
            subject: "Напоминание".into(),
            eml: b"Subject: x\r\n\r\nbody\r\n".to_vec(),
            attempts: 0,
            created: now,
            answers: None,
        };
        store.compose(&message, &[]).expect("compose");
    }
    let sent = Arc::new(Mutex::new(Vec::<(usize, String)>::new()));
    let start = Arc::new(Barrier::new(2));
    let senders: Vec<_> = (0..2)
        .map(|n| {
            let (db, sent, start) = (db.clone(), sent.clone(), start.clone());
            std::thread::spawn(move || {
                let mut store = open(&db);
                start.wait();
                store
                    .send_due(now, &mut |m| {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        sent.lock().expect("lock").push((n, m.message_id.clone()));
                        Delivery::Sent { post: None }
                    })
                    .expect("send")
                    .len()
            })
        })
        .collect();
    let counts: Vec<usize> = senders.into_iter().map(|s| s.join().expect("sender")).collect();
    let sent = sent.lock().expect("lock").clone();
    let mut ids: Vec<&String> = sent.iter().map(|(_, id)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "every message once: {sent:?}");
    assert_eq!(sent.len(), 20, "no message twice: {sent:?}");
    assert!(counts.iter().all(|&c| c > 0), "both senders sent: {counts:?}");
    assert!(open(&db).outgoing(now).expect("left").is_empty());
}

/// A certificate authority and a server certificate for `localhost`, made with openssl.
fn certificates(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl (.ci/deps installs it)");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").expect("ext");
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=karta test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
    (std::fs::read(dir.join("server.crt")).expect("crt"), std::fs::read(dir.join("server.key")).expect("key"))
}

/// `sslmode=require` encrypts and verifies the server's certificate (against `sslrootcert`);
/// a certificate nobody vouches for is refused with a clear error; without `sslmode` the
/// connection stays plain, as before.
#[test]
fn postgres_over_tls_verifies_the_server() {
    let dir = tempfile::tempdir().expect("dir");
    let (crt, key) = certificates(dir.path());
    let server = support::pg::start_with(
        "-c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key",
        &[("server.crt", crt), ("server.key", key)],
    );
    let ca = dir.path().join("ca.pem").display().to_string();
    let url = format!("postgres://postgres@localhost:{}/postgres", server.port);
    let encrypted = |name: &str| {
        server.query(
            "postgres",
            &format!(
                "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                 WHERE a.application_name = '{name}' AND s.ssl"
            ),
        )
    };
    let store = open(&format!("{url}?sslmode=require&sslrootcert={ca}&application_name=karta-tls"));
    assert_eq!(store.integrity().expect("check"), "ok");
    assert_eq!(encrypted("karta-tls"), "1", "the connection is encrypted");
    drop(store);
    let verified = open(&format!("{url}?sslmode=verify-full&sslrootcert={ca}&application_name=karta-full"));
    assert_eq!(encrypted("karta-full"), "1", "libpq's verify-full is understood");
    drop(verified);
    let err = store::open(Path::new(&format!("{url}?sslmode=require"))).err().expect("an unknown issuer is refused");
    let text = err.to_string();
    assert!(text.starts_with("не удалось открыть базу postgres://postgres@localhost:"), "{text}");
    assert!(text.contains("certificate") || text.contains("сертификат"), "{text}");
    let plain = open(&format!("{url}?application_name=karta-plain"));
    assert_eq!(encrypted("karta-plain"), "0", "no sslmode: plain, as before");
    drop(plain);
}
