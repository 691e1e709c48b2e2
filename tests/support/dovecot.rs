//! A real IMAP server for the tests that read the replies mailbox: Dovecot (`.ci/deps` installs
//! `dovecot-imapd`), started in a temporary directory on a free port with a configuration and
//! one user of its own, plain text on loopback, stopped when dropped. Messages are put in by
//! IMAP APPEND, as a mail server's delivery would.

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

pub const USER: &str = "karta";
pub const PASSWORD: &str = "test-password";

pub struct Dovecot {
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Dovecot {
    pub fn start() -> Dovecot {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        let port = super::free_port();
        // The mail processes run as nobody, the login and internal ones as Dovecot's own users.
        for (sub, mode) in [("", 0o755), ("run", 0o755), ("state", 0o755), ("mail", 0o777)] {
            let path = root.join(sub);
            std::fs::create_dir_all(&path).expect("mkdir");
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(mode)).expect("chmod");
        }
        std::fs::write(root.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).expect("passwd");
        let d = root.display();
        let config = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\ninstance_name = karta-test-{port}\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             default_internal_user = dovecot\ndefault_login_user = dovenull\nfirst_valid_uid = 1\n\
             mail_location = maildir:{d}/mail/%u\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid=nobody gid=nogroup home={d}/mail/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n\
             \x20 inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n\
             protocol imap {{\n  mail_max_userip_connections = 100\n}}\n"
        );
        std::fs::write(root.join("dovecot.conf"), config).expect("config");
        let status = Command::new("/usr/sbin/dovecot")
            .arg("-c")
            .arg(root.join("dovecot.conf"))
            .status()
            .expect("/usr/sbin/dovecot (.ci/deps installs dovecot-imapd)");
        assert!(
            status.success(),
            "dovecot did not start: {}",
            std::fs::read_to_string(root.join("dovecot.log")).unwrap_or_default()
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "dovecot does not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Dovecot { dir, port }
    }

    /// The mailbox as `karta inbox` takes it.
    pub fn url(&self) -> String {
        format!("imap://{USER}:{PASSWORD}@127.0.0.1:{}/INBOX", self.port)
    }

    fn session(&self) -> imap::Session<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let mut client = imap::Client::new(tcp);
        client.read_greeting().expect("greeting");
        let mut session = client.login(USER, PASSWORD).map_err(|(e, _)| e).expect("login");
        session.select("INBOX").expect("select");
        session
    }

    /// Delivers `raw` into the mailbox, unseen.
    pub fn append(&self, raw: &[u8]) {
        let mut session = self.session();
        session.append("INBOX", raw).finish().expect("append");
        let _ = session.logout();
    }

    /// How many messages are (all, not yet seen).
    pub fn counts(&self) -> (usize, usize) {
        let mut session = self.session();
        let all = session.uid_search("ALL").expect("search").len();
        let unseen = session.uid_search("UNSEEN").expect("search").len();
        let _ = session.logout();
        (all, unseen)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let file = self.dir.path().join("run/master.pid");
        if let Ok(pid) = std::fs::read_to_string(&file) {
            let _ = Command::new("kill").arg(pid.trim()).status();
            // The master removes its pid file when it has stopped its children.
            let deadline = Instant::now() + Duration::from_secs(10);
            while file.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}
