//! `karta user add|passwd|bind|list|token`: accounts of the web app, managed from the command
//! line. Passwords are read from standard input (one line), never from arguments.

use std::io::BufRead;
use std::path::PathBuf;

use karta::store::{self, NewUser, Role};
use karta::web::auth;

use karta::{msg, say};

use super::{Failure, Global, err_line, out_line};

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
    /// Roadmap files or directories, to check executor ids against (default: KARTA_ROADMAPS,
    /// else roadmaps/); an option only, as the subcommands' arguments are logins and ids.
    #[arg(long = "roadmaps", value_name = "PATH", global = true)]
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
    let mut store = store::open(&args.db)?;
    let now = karta::clock::now(global.now).to_rfc3339();
    let lang = global.lang();
    let role_name = |r: Role| lang.pick(r.ru(), r.name());
    match args.command {
        UserCommand::Add { login, name, role, organisation, email, executors } => {
            valid_login(&login)?;
            if role == Role::Author && organisation.is_none() {
                return Err(Failure::usage(msg!(
                    "автору нужна организация: --organisation ИСПОЛНИТЕЛЬ";
                    "an author needs an organisation: --organisation EXECUTOR"
                )));
            }
            let known: Vec<String> = organisation.iter().chain(&executors).cloned().collect();
            check_executors(global, &args.roadmaps, &known)?;
            let hash = auth::hash_password(&password()?).map_err(|e| Failure::usage(msg!("{}", e; "{}", e)))?;
            let feed = auth::secret(24);
            let user = store.add_user(&NewUser {
                login: &login,
                name: &name,
                role,
                organisation: organisation.as_deref(),
                email: email.as_deref(),
                password: &hash,
                feed: &feed,
                created_at: &now,
            })?;
            if !executors.is_empty() {
                store.bind(&login, &executors)?;
            }
            let r = role_name(role);
            out_line!(
                "{}",
                say!(lang, "создан пользователь {} ({}, {})", user.login, user.name, r; "user {} created ({}, {})", user.login, user.name, r)
            );
        }
        UserCommand::Passwd { login } => {
            let hash = auth::hash_password(&password()?).map_err(|e| Failure::usage(msg!("{}", e; "{}", e)))?;
            store.set_password(&login, &hash)?;
            out_line!(
                "{}",
                say!(lang, "пароль пользователя {} изменён; его сеансы завершены", login;
                    "the password of {} is changed; their sessions are ended", login)
            );
        }
        UserCommand::Bind { login, executors, remove } => {
            if !remove {
                check_executors(global, &args.roadmaps, &executors)?;
            }
            let user = if remove { store.unbind(&login, &executors) } else { store.bind(&login, &executors) }?;
            out_line!(
                "{}: {} — {}",
                user.login,
                lang.pick("исполнители", "executors"),
                if user.executors.is_empty() { lang.pick("нет", "none").into() } else { user.executors.join(", ") }
            );
        }
        UserCommand::List => {
            let users = store.users()?;
            if global.format == super::Format::Json {
                out_line!("{}", serde_json::json!(users));
            } else {
                for u in users {
                    out_line!(
                        "{:<16} {:<28} {:<24} {}",
                        u.login,
                        u.name,
                        role_name(u.role),
                        u.organisation.iter().chain(&u.executors).cloned().collect::<Vec<_>>().join(", ")
                    );
                }
            }
        }
        UserCommand::Token { login, label } => {
            let token = auth::secret(32);
            store.add_token(&login, &auth::digest(&token), &label, &now)?;
            out_line!("{token}");
            err_line!(
                "{}",
                lang.pick(
                    "токен показан один раз; храните его как пароль",
                    "the token is shown once; keep it as a password"
                )
            );
        }
    }
    Ok(())
}

fn valid_login(login: &str) -> Result<(), Failure> {
    let ok = !login.is_empty()
        && login.len() <= 64
        && login.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Failure::usage(msg!(
            "логин «{}»: латинские буквы, цифры, точка, дефис, подчёркивание, @", login;
            "login «{}»: Latin letters, digits, dot, hyphen, underscore, @", login
        )))
    }
}

/// One line of standard input, at least 8 characters.
fn password() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        let why = karta::diag::os_error(&e);
        Failure::usage(msg!("пароль не прочитан: {}", why.ru; "the password was not read: {}", why.en))
    })?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.chars().count() < 8 {
        return Err(Failure::usage(msg!(
            "пароль короче 8 символов (передайте его одной строкой на стандартный ввод)";
            "the password is shorter than 8 characters (give it as one line on standard input)"
        )));
    }
    Ok(password)
}

/// Every id names an executor or group of the roadmaps.
fn check_executors(global: &Global, roadmaps: &[PathBuf], ids: &[String]) -> Result<(), Failure> {
    if ids.is_empty() {
        return Ok(());
    }
    let inputs = super::Inputs { paths: Vec::new(), roadmaps: roadmaps.to_vec() };
    let workspace = super::workspace(global, &inputs.list(), None)?;
    for id in ids {
        super::known_executor(&workspace, Some(id))?;
    }
    Ok(())
}
