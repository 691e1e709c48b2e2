//! What the reply tests share (tests/inbox.rs through `--stdin`, tests/imap.rs through a real
//! Dovecot): a workspace with a small roadmap, `[inbox]` configured, a store on either backend
//! and an SMTP server, after `karta remind` has sent its notices; the notices as received; a
//! reply written the way a mail client writes it; the activity's page from the web app.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::Backend;
use super::smtp::Smtp;

pub const ROADMAP: &str = r#"kind: roadmap
id: small
title: "Дорожная карта проверки ответов"
period: {from: 2024-01-01, to: 2024-12-31}
timezone: Asia/Vladivostok
controller: uo
executors:
  uo: {name: "Управление образования", email: uo@test.example, head: {name: "А.Б. Начальникова", email: head@test.example}}
  imc: {name: "Информационно-методический центр", short: "ИМЦ", email: imc@test.example, parent: uo,
        contact: {name: "И.И. Иванова", email: ivanova@test.example}}
  school: {name: "Школа № 1", email: school@test.example, parent: uo,
           deputies: [{name: "П.П. Петрова", position: "Заместитель директора", email: Zam@Test.Example}]}
sections:
  - title: "Раздел"
    activities:
      - id: plan
        title: "Разработка плана мероприятий"
        executors: [imc]
        due: до 15 марта 2024 г.
      - id: report
        title: "Отчёт о ходе работ"
        executors: [imc]
        due: до 15 марта 2024 г.
      - id: survey
        title: "Анкетирование педагогов"
        executors: [school]
        due: до 15 марта 2024 г.
"#;

pub const CONFIG: &str = "[notify]\nfrom = \"karta <karta@region.test>\"\n\n[inbox]\naddress = \"karta@region.test\"\n\n\
                      [web]\nuploads = \"uploads\"\n";

/// The day before the deadlines: the reminders go out.
pub const REMIND: &str = "2024-03-14T10:00:00+10:00";
/// When replies are taken.
pub const LATER: &str = "2024-03-14T12:30:00+10:00";
pub const SURVEY: &str = "small/survey@2024-03-15";

/// A workspace with the roadmap, the configuration, a store and an SMTP server, after
/// `karta remind` has sent its notices.
pub struct Desk {
    pub dir: tempfile::TempDir,
    pub db: String,
    pub smtp: Smtp,
}

/// A notice as received: its bytes parsed into what a mail client shows and answers.
pub struct Notice {
    pub reply_to: String,
    pub subject: String,
    pub message_id: String,
    pub text: String,
}

impl Desk {
    pub fn new(backend: Backend) -> Desk {
        Desk::with(backend, ROADMAP)
    }

    /// The same with the roadmap `roadmap` instead of [`ROADMAP`].
    pub fn with(backend: Backend, roadmap: &str) -> Desk {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("roadmaps")).expect("mkdir");
        std::fs::write(dir.path().join("roadmaps/small.yaml"), roadmap).expect("roadmap");
        std::fs::write(dir.path().join("karta.toml"), CONFIG).expect("config");
        let desk = Desk { db: backend.db(dir.path()), dir, smtp: Smtp::start(0.0) };
        let out = desk.run(&["remind"], REMIND, None);
        assert!(out.status.success(), "remind: {}", String::from_utf8_lossy(&out.stderr));
        desk
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `karta ARGS` in the workspace, sending through its SMTP server.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = super::karta_in(self.path(), &self.db);
        cmd.args(args).env("KARTA_SMTP_URL", self.smtp.url());
        cmd
    }

    /// Runs karta in the workspace with `env` set over the usual environment.
    pub fn run_with(&self, args: &[&str], now: &str, stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args);
        cmd.args(["--now", now])
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("run karta");
        let mut input = child.stdin.take().expect("stdin");
        if let Some(bytes) = stdin {
            // A refusal may come before everything is read: a broken pipe is then fine.
            let _ = input.write_all(bytes);
        }
        drop(input);
        child.wait_with_output().expect("karta ends")
    }

    pub fn run(&self, args: &[&str], now: &str, stdin: Option<&[u8]>) -> Output {
        self.run_with(args, now, stdin, &[])
    }

    /// `karta inbox --stdin` with `raw`: it must end with 0; its stdout.
    pub fn inbox(&self, raw: &[u8]) -> String {
        let out = self.run(&["inbox", "--stdin"], LATER, Some(raw));
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(0), "{said}\n{}", String::from_utf8_lossy(&out.stderr));
        said
    }

    /// The notice sent to `to`.
    pub fn notice(&self, to: &str) -> Notice {
        let received = self.smtp.received();
        let (_, raw) = received.iter().find(|(r, _)| r[0] == to).unwrap_or_else(|| panic!("a message to {to}"));
        let m = parse(raw);
        let reply_to = m.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).expect("a Reply-To").to_string();
        Notice {
            reply_to,
            subject: m.subject().expect("subject").to_string(),
            message_id: m.message_id().expect("Message-ID").to_string(),
            text: m.body_text(0).expect("text").into_owned(),
        }
    }

    /// Answers karta sent to `to` (not its notices), in order.
    pub fn answers(&self, to: &str) -> Vec<Vec<u8>> {
        let received = self.smtp.received().into_iter().filter(|(r, _)| r[0] == to).map(|(_, raw)| raw);
        received.filter(|raw| parse(raw).header("Auto-Submitted").is_some()).collect()
    }

    pub fn events(&self) -> Vec<karta::track::Event> {
        let store = karta::store::open(Path::new(&self.db)).expect("store");
        karta::store::EventLog::events(&*store).expect("events")
    }
}

pub fn parse(bytes: &[u8]) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default().parse(bytes).expect("a parseable message")
}

/// A reply as a mail client writes it: Re: subject, In-Reply-To and References, the sender's
/// words, a signature, the original quoted below; `extra` headers and `body_headers` as given.
pub fn reply(from: &str, notice: &Notice, id: &str, words: &str) -> Vec<u8> {
    let quoted: String = notice.text.lines().map(|l| format!("> {l}\r\n")).collect();
    format!(
        "From: {from}\r\nTo: karta <{}>\r\nSubject: Re: {}\r\nDate: Thu, 14 Mar 2024 12:00:00 +1000\r\n\
         Message-ID: <{id}>\r\nIn-Reply-To: <{mid}>\r\nReferences: <{mid}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         {words}\r\n\r\nС уважением,\r\nИ.И. Иванова\r\n\r\n\
         14.03.2024 10:00, karta <karta@region.test> пишет:\r\n{quoted}",
        notice.reply_to,
        notice.subject,
        mid = notice.message_id,
    )
    .into_bytes()
}

/// The occurrence the notice numbers `item` (its «Идентификатор:» line).
pub fn item(notice: &Notice, item: usize) -> String {
    let start = notice.text.find(&format!("\n{item}. ")).expect("the numbered item");
    let rest = &notice.text[start..];
    let line = rest.lines().find(|l| l.trim_start().starts_with("Идентификатор: ")).expect("an id line");
    line.trim().trim_start_matches("Идентификатор: ").to_string()
}

/// The activity's page `/o/ID` as an administrator sees it, from the web app over the store.
/// The occurrence `id` as `karta status --format json` shows it at [`LATER`].
pub fn status_of(desk: &Desk, id: &str) -> serde_json::Value {
    let out = desk.run(&["status", "--format", "json"], LATER, None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let shown = status["occurrences"].as_array().expect("occurrences").iter().find(|o| o["id"] == id).cloned();
    shown.unwrap_or_else(|| panic!("{id} in status"))
}

pub fn page(desk: &Desk, id: &str) -> String {
    use karta::store::{NewUser, Role};
    use karta::web::{App, Config, auth, state::Pool, state::Roadmaps};
    let now = chrono::DateTime::parse_from_rfc3339(LATER).expect("now");
    let mut store = karta::store::open(Path::new(&desk.db)).expect("store");
    let hash = auth::hash_password("пароль-для-теста").expect("hash");
    let feed = auth::secret(24);
    let user = NewUser {
        login: "admin",
        name: "Администратор",
        role: Role::Admin,
        organisation: None,
        email: None,
        password: &hash,
        feed: &feed,
        created_at: LATER,
    };
    store.add_user(&user).expect("user");
    let admin = store.user("admin").expect("read").expect("the user");
    let (cookie, _) = auth::start_session(&mut *store, &admin, now.timestamp(), 12).expect("session");
    let app = App {
        config: Config { uploads: desk.path().join("uploads"), ..Config::default() },
        templates: karta::render::Templates::load(None).expect("templates"),
        roadmaps: Roadmaps::load(&[desk.path().join("roadmaps")], now).expect("roadmaps"),
        pool: Pool::open(PathBuf::from(&desk.db)).expect("pool"),
        fixed_now: Some(now),
        cache: Default::default(),
        pages: Default::default(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async move {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let request = axum::http::Request::get(format!("/o/{}", karta::web::data::encode(id)))
            .header(axum::http::header::COOKIE, format!("{}={cookie}", auth::COOKIE))
            .body(axum::body::Body::empty())
            .expect("request");
        let response = karta::web::router(std::sync::Arc::new(app)).oneshot(request).await.expect("response");
        assert_eq!(response.status(), 200);
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
