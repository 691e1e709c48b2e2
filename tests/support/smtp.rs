//! A real SMTP server on loopback for the tests that send mail: aiosmtpd
//! (tests/support/smtp_server.py; `.ci/deps` installs it), writing every message it accepts to a
//! directory, optionally slow to answer.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Smtp {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Smtp {
    /// A server on a free port, answering each command after `delay` seconds.
    pub fn start(delay: f64) -> Smtp {
        Smtp::on(super::free_port(), tempfile::tempdir().expect("temp dir"), delay)
    }

    /// A server on `port`, keeping what it accepts in `dir`.
    pub fn on(port: u16, dir: tempfile::TempDir, delay: f64) -> Smtp {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .arg(delay.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (.ci/deps installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("server output");
        assert_eq!(line.trim(), "ready", "the SMTP server did not start (is aiosmtpd installed?)");
        Smtp { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received, in arrival order: (envelope recipients, raw bytes).
    pub fn received(&self) -> Vec<(Vec<String>, Vec<u8>)> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("mail dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| {
                let bytes = std::fs::read(p).expect("message");
                let text = String::from_utf8_lossy(&bytes);
                let rcpt = text
                    .lines()
                    .take_while(|l| l.starts_with("X-Rcpt-To: "))
                    .map(|l| l.trim_start_matches("X-Rcpt-To: ").to_string())
                    .collect();
                (rcpt, bytes)
            })
            .collect()
    }

    /// How many times each Message-ID arrived.
    pub fn message_ids(&self) -> std::collections::BTreeMap<String, usize> {
        let mut seen = std::collections::BTreeMap::new();
        for (_, bytes) in self.received() {
            let text = String::from_utf8_lossy(&bytes);
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: ").or_else(|| l.strip_prefix("Message-Id: ")))
                .unwrap_or_default()
                .to_string();
            *seen.entry(id).or_insert(0) += 1;
        }
        seen
    }

    /// Waits until `n` distinct messages have arrived.
    pub fn wait_for(&self, n: usize, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.message_ids().len() >= n {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
