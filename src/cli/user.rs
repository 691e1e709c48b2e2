//! `karta user add|passwd|bind|list|token`: accounts of the web app, managed from the command
//! line. Passwords are read from standard input (one line), never from arguments.

use std::io::BufRead;
use std::path::PathBuf;

use karta::store::{self, NewUser, Role};
use karta::web::auth;

use super::{Global, err_line, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    #[command(subcommand)]
    pub command: UserCommand,
    /// The progress database: an SQLite file (created on first use) or a PostgreSQL URL
    /// (`postgres://user@host/db`).
    #[arg(long, env = "KARTA_DB", default_value = "karta.db", global = true)]
    pub db: PathBuf,
    /// Roadmap files or directories, to check executor ids against.
    #[arg(long, env = "KARTA_ROADMAPS", default_value = "roadmaps", global = true)]
    pub roadmaps: Vec<PathBuf>,
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        login: String,
        /// Full name, as shown and recorded ("Иванова И.И.").
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: Role,
        /// An author's organisation (an executor id): they manage the roadmaps it issued.
        #[arg(long)]
        organisation: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Executors a coordinator reports for (repeatable).
        #[arg(long = "executor")]
        executors: Vec<String>,
    },
    /// Set a new password (read from standard input); ends the user's sessions.
    Passwd { login: String },
    /// Bind a coordinator to executors (or groups), or unbind with --remove.
    Bind {
        login: String,
        #[arg(required = true)]
        executors: Vec<String>,
        #[arg(long)]
        remove: bool,
    },
    /// Every account.
    List,
    /// Issue an API token (shown once).
    Token {
        login: String,
        #[arg(long, default_value = "api")]
        label: String,
    },
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let mut store = store::open(&args.db).map_err(|e| {
        err_line!("karta: {e}");
        2u8
    })?;
    let now = karta::clock::now(global.now).to_rfc3339();
    let failed = |e: karta::store::StoreError| {
        err_line!("ошибка: {e}");
        1u8
    };
    match args.command {
        UserCommand::Add { login, name, role, organisation, email, executors } => {
            valid_login(&login)?;
            if role == Role::Author && organisation.is_none() {
                err_line!("ошибка: автору нужна организация: --organisation ИСПОЛНИТЕЛЬ");
                return Err(2);
            }
            let known: Vec<String> = organisation.iter().chain(&executors).cloned().collect();
            check_executors(global, &args.roadmaps, &known)?;
            let hash = auth::hash_password(&password()?).map_err(|e| {
                err_line!("ошибка: {e}");
                2u8
            })?;
            let feed = auth::secret(24);
            let user = store
                .add_user(&NewUser {
                    login: &login,
                    name: &name,
                    role,
                    organisation: organisation.as_deref(),
                    email: email.as_deref(),
                    password: &hash,
                    feed: &feed,
                    created_at: &now,
                })
                .map_err(failed)?;
            if !executors.is_empty() {
                store.bind(&login, &executors).map_err(failed)?;
            }
            out_line!("создан пользователь {} ({}, {})", user.login, user.name, role.ru());
        }
        UserCommand::Passwd { login } => {
            let hash = auth::hash_password(&password()?).map_err(|e| {
                err_line!("ошибка: {e}");
                2u8
            })?;
            store.set_password(&login, &hash).map_err(failed)?;
            out_line!("пароль пользователя {login} изменён; его сеансы завершены");
        }
        UserCommand::Bind { login, executors, remove } => {
            if !remove {
                check_executors(global, &args.roadmaps, &executors)?;
            }
            let user = if remove { store.unbind(&login, &executors) } else { store.bind(&login, &executors) }
                .map_err(failed)?;
            out_line!(
                "{}: исполнители — {}",
                user.login,
                if user.executors.is_empty() { "нет".into() } else { user.executors.join(", ") }
            );
        }
        UserCommand::List => {
            let users = store.users().map_err(failed)?;
            if global.format == super::Format::Json {
                out_line!("{}", serde_json::json!(users));
            } else {
                for u in users {
                    out_line!(
                        "{:<16} {:<28} {:<24} {}",
                        u.login,
                        u.name,
                        u.role.ru(),
                        u.organisation.iter().chain(&u.executors).cloned().collect::<Vec<_>>().join(", ")
                    );
                }
            }
        }
        UserCommand::Token { login, label } => {
            let token = auth::secret(32);
            store.add_token(&login, &auth::digest(&token), &label, &now).map_err(failed)?;
            out_line!("{token}");
            err_line!("токен показан один раз; храните его как пароль");
        }
    }
    Ok(())
}

fn valid_login(login: &str) -> Result<(), u8> {
    let ok = !login.is_empty()
        && login.len() <= 64
        && login.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        err_line!("ошибка: логин «{login}»: латинские буквы, цифры, точка, дефис, подчёркивание, @");
        Err(2)
    }
}

/// One line of standard input, at least 8 characters.
fn password() -> Result<String, u8> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        err_line!("ошибка: пароль не прочитан: {e}");
        2u8
    })?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.chars().count() < 8 {
        err_line!("ошибка: пароль короче 8 символов (передайте его одной строкой на стандартный ввод)");
        return Err(2);
    }
    Ok(password)
}

/// Every id names an executor or group of the roadmaps.
fn check_executors(global: &Global, roadmaps: &[PathBuf], ids: &[String]) -> Result<(), u8> {
    if ids.is_empty() {
        return Ok(());
    }
    let workspace = super::workspace(global, roadmaps, None)?;
    for id in ids {
        super::known_executor(&workspace, Some(id), global.lang())?;
    }
    Ok(())
}
