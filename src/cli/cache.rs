//! `karta cache`: what the cache of loaded roadmap files holds (`--cache`, `karta.cache` by
//! default), and `--clear` to remove it. Commands rebuild it by themselves; this is for the
//! person who runs karta and wants to see it or start afresh.

use karta::say;

use super::{Failure, Format, Global, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// Remove the cache (the next command loads every file and writes it again).
    #[arg(long)]
    pub clear: bool,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let lang = global.lang();
    let cache = karta::cache::Cache::open(&global.cache);
    let Some(summary) = cache.summary() else { return Ok(()) };
    let shown = summary.path.display().to_string();
    if args.clear {
        let removed = cache.clear().map_err(|e| Failure::file(&summary.path, &e))?;
        match global.format {
            Format::Json => out_line!("{}", serde_json::json!({ "path": shown, "removed": removed })),
            _ if removed => out_line!("{}", say!(lang, "кэш {} удалён", shown; "removed the cache {}", shown)),
            _ => out_line!("{}", say!(lang, "кэша {} нет", shown; "there is no cache {}", shown)),
        }
        return Ok(());
    }
    match global.format {
        Format::Json => out_line!(
            "{}",
            serde_json::json!({
                "path": shown,
                "bytes": summary.bytes,
                "files": summary.files,
                "rejected": summary.rejected.map(|why| why.says(lang)),
                "plan_bytes": summary.plan_bytes,
                "check_bytes": summary.check_bytes,
                "log_bytes": summary.log_bytes,
                "fold_bytes": summary.fold_bytes,
            })
        ),
        _ => {
            let line = match (summary.bytes, summary.rejected) {
                (None, _) => say!(lang, "кэша {} нет: следующая команда создаст его", shown;
                    "there is no cache {}: the next command writes it", shown),
                (Some(_), Some(why)) => {
                    let why = why.says(lang);
                    say!(lang, "кэш {} не используется ({}): следующая команда запишет его заново", shown, why;
                    "the cache {} is not used ({}): the next command writes it again", shown, why)
                }
                (Some(bytes), None) => {
                    let kb = bytes.div_ceil(1024);
                    say!(lang, "кэш {}: файлов {}, {} КБ", shown, summary.files, kb;
                        "cache {}: {} files, {} KiB", shown, summary.files, kb)
                }
            };
            out_line!("{}", line);
            let trusted = summary.rejected.is_none() && summary.bytes.is_some();
            let kept = [
                (summary.plan_bytes.filter(|_| trusted), "сохранённый план", "kept plan"),
                (summary.check_bytes.filter(|_| trusted), "сохранённые итоги проверки", "kept check findings"),
                (summary.log_bytes, "сохранённый журнал отчётов", "kept progress log"),
                (summary.fold_bytes, "сохранённые итоги журнала по срокам", "kept fold of the log into the plan"),
            ];
            for (bytes, ru, en) in kept {
                if let Some(bytes) = bytes {
                    let kb = bytes.div_ceil(1024);
                    out_line!("{}", say!(lang, "{}: {} КБ", ru, kb; "{}: {} KiB", en, kb));
                }
            }
        }
    }
    Ok(())
}
