//! The replies mailbox over IMAP: connect (TLS, or STARTTLS, or plain text to this machine
//! only), log in, list the messages not yet seen, fetch each one's bytes without marking it,
//! and mark it seen once the caller has committed what it made. A message is never marked
//! before, so a crash at any point leaves it unseen and it is taken again (and found handled,
//! if its commit had happened). The password is used to log in and nowhere else: it is in no
//! message, log line or `Debug` output.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::{ClientConnection, StreamOwned};

use crate::notify::transport::redact;

/// Where the mailbox is: `imaps://USER:PASSWORD@HOST[:993][/MAILBOX]` (TLS) or
/// `imap://USER:PASSWORD@HOST[:143][/MAILBOX]` (STARTTLS; plain text only to this machine).
#[derive(Clone)]
pub struct Address {
    tls: bool,
    host: String,
    port: u16,
    user: String,
    password: String,
    mailbox: String,
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.shown())
    }
}

/// What went wrong with the mailbox; never names the password.
#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error("адрес почтового ящика {0}: ожидается imaps://пользователь:пароль@сервер[:порт][/папка] или imap://…")]
    Address(String),
    #[error("почтовый ящик {at}: {why}")]
    Server { at: String, why: String },
}

impl crate::diag::Explain for MailboxError {
    fn explain(&self) -> crate::diag::Message {
        match self {
            MailboxError::Address(shown) => crate::msg!("{}", self;
                "mailbox address {}: expected imaps://user:password@host[:port][/folder] or imap://…", shown),
            MailboxError::Server { at, why } => crate::msg!("{}", self; "mailbox {}: {}", at, why),
        }
    }
}

impl Address {
    /// Reads `url`; the error shows it without its password.
    pub fn parse(text: &str) -> Result<Address, MailboxError> {
        let bad = || MailboxError::Address(redact(text));
        let url = url::Url::parse(text).map_err(|_| bad())?;
        let tls = match url.scheme() {
            "imaps" => true,
            "imap" => false,
            _ => return Err(bad()),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?;
        let password = url.password().ok_or_else(bad)?;
        if url.username().is_empty() {
            return Err(bad());
        }
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let mailbox = decode(url.path().trim_start_matches('/'));
        Ok(Address {
            tls,
            host: host.to_string(),
            port: url.port().unwrap_or(if tls { 993 } else { 143 }),
            user: decode(url.username()),
            password: decode(password),
            mailbox: if mailbox.is_empty() { "INBOX".into() } else { mailbox },
        })
    }

    /// The address as shown: no password.
    pub fn shown(&self) -> String {
        let scheme = if self.tls { "imaps" } else { "imap" };
        format!("{scheme}://{}@{}:{}/{}", self.user, self.host, self.port, self.mailbox)
    }

    fn loopback(&self) -> bool {
        matches!(self.host.as_str(), "localhost" | "127.0.0.1" | "::1" | "[::1]")
    }
}

/// The connection: plain TCP or TLS over it.
#[derive(Debug)]
enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

impl imap::extensions::idle::SetReadTimeout for Stream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> imap::Result<()> {
        let tcp = match self {
            Stream::Plain(s) => &*s,
            Stream::Tls(s) => s.get_ref(),
        };
        tcp.set_read_timeout(timeout).map_err(imap::Error::Io)
    }
}

/// A logged-in session on the mailbox's folder.
pub struct Mailbox {
    session: imap::Session<Stream>,
    at: String,
}

impl Mailbox {
    /// Connects, logs in and selects the folder.
    pub fn open(address: &Address) -> Result<Mailbox, MailboxError> {
        let at = address.shown();
        let fail = |why: String| MailboxError::Server { at: at.clone(), why };
        let tcp = TcpStream::connect((address.host.as_str(), address.port)).map_err(|e| fail(e.to_string()))?;
        let _ = tcp.set_read_timeout(Some(Duration::from_secs(60)));
        let client = if address.tls {
            let mut client = imap::Client::new(Stream::Tls(Box::new(tls(&address.host, tcp).map_err(&fail)?)));
            client.read_greeting().map_err(|e| fail(e.to_string()))?;
            client
        } else if starttls(tcp.try_clone().map_err(|e| fail(e.to_string()))?).map_err(&fail)? {
            // No greeting after STARTTLS: the one before it was read.
            imap::Client::new(Stream::Tls(Box::new(tls(&address.host, tcp).map_err(&fail)?)))
        } else if address.loopback() {
            imap::Client::new(Stream::Plain(tcp))
        } else {
            return Err(fail(
                "сервер не предлагает STARTTLS; пароль открытым текстом передаётся только на этот же компьютер \
                 (используйте imaps://)"
                    .into(),
            ));
        };
        let mut session = client.login(&address.user, &address.password).map_err(|(e, _)| fail(e.to_string()))?;
        session.select(&address.mailbox).map_err(|e| fail(e.to_string()))?;
        Ok(Mailbox { session, at })
    }

    /// The messages not yet seen, oldest first.
    pub fn unseen(&mut self) -> Result<Vec<u32>, MailboxError> {
        let mut uids: Vec<u32> = self.session.uid_search("UNSEEN").map_err(|e| self.fail(&e))?.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// The bytes of message `uid`, leaving it unseen; none when it is gone.
    pub fn fetch(&mut self, uid: u32) -> Result<Option<Vec<u8>>, MailboxError> {
        let fetched = self.session.uid_fetch(uid.to_string(), "BODY.PEEK[]").map_err(|e| self.fail(&e))?;
        Ok(fetched.iter().find(|f| f.uid == Some(uid)).and_then(|f| f.body()).map(<[u8]>::to_vec))
    }

    /// Marks message `uid` seen: it is handled.
    pub fn seen(&mut self, uid: u32) -> Result<(), MailboxError> {
        self.session.uid_store(uid.to_string(), "+FLAGS (\\Seen)").map(drop).map_err(|e| self.fail(&e))
    }

    /// Waits until new mail arrives or `max` has passed: IMAP IDLE (RFC 2177) where the server
    /// has it, else a plain wait (the caller polls).
    pub fn wait(&mut self, max: Duration) -> Result<(), MailboxError> {
        // Mail that came after the last pass looked: no waiting for more.
        if !self.unseen()?.is_empty() {
            return Ok(());
        }
        let idle = self.session.capabilities().map_err(|e| self.fail(&e))?.has_str("IDLE");
        if !idle {
            std::thread::sleep(max);
            return Ok(());
        }
        let outcome = {
            let mut handle = self.session.idle();
            handle.timeout(max).keepalive(false);
            handle.wait_while(imap::extensions::idle::stop_on_any)
        };
        outcome.map(drop).map_err(|e| self.fail(&e))
    }

    /// Logs out; a failure here loses nothing.
    pub fn close(mut self) {
        let _ = self.session.logout();
    }

    fn fail(&self, e: &imap::Error) -> MailboxError {
        MailboxError::Server { at: self.at.clone(), why: e.to_string() }
    }
}

/// Reads the greeting and asks for STARTTLS when the server offers it: whether TLS is to start
/// now. Done by hand, before the IMAP client takes the connection (its own STARTTLS needs its
/// own TLS crate).
fn starttls(tcp: TcpStream) -> Result<bool, String> {
    use std::io::BufRead;
    let mut writer = tcp.try_clone().map_err(|e| e.to_string())?;
    let mut reader = std::io::BufReader::new(tcp);
    let mut line = String::new();
    let mut next = |line: &mut String| -> Result<(), String> {
        line.clear();
        match reader.read_line(line) {
            Ok(0) => Err("сервер закрыл соединение".into()),
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    };
    next(&mut line)?;
    if !line.starts_with("* OK") {
        return Err(format!("неожиданное приветствие сервера: {}", line.trim_end()));
    }
    let mut offered = line.to_ascii_uppercase().contains("STARTTLS");
    if !line.to_ascii_uppercase().contains("[CAPABILITY") {
        writer.write_all(b"k0 CAPABILITY\r\n").map_err(|e| e.to_string())?;
        loop {
            next(&mut line)?;
            offered |= line.starts_with("* CAPABILITY") && line.to_ascii_uppercase().contains("STARTTLS");
            if line.starts_with("k0 ") {
                break;
            }
        }
    }
    if !offered {
        return Ok(false);
    }
    writer.write_all(b"k1 STARTTLS\r\n").map_err(|e| e.to_string())?;
    loop {
        next(&mut line)?;
        if line.starts_with("k1 OK") {
            return Ok(true);
        }
        if line.starts_with("k1 ") {
            return Err(format!("STARTTLS отклонён: {}", line.trim_end()));
        }
    }
}

/// TLS over `tcp` to `host`, its certificate checked against the system's roots.
fn tls(host: &str, tcp: TcpStream) -> Result<StreamOwned<ClientConnection, TcpStream>, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name =
        rustls_pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_string()).map_err(|e| e.to_string())?;
    let connection = ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    Ok(StreamOwned::new(connection, tcp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_and_shown_without_the_password() {
        let a = Address::parse("imaps://karta%40region.ru:p%40ss@mail.region.ru/Ответы").expect("address");
        assert_eq!((a.tls, a.port, a.user.as_str(), a.password.as_str()), (true, 993, "karta@region.ru", "p@ss"));
        assert_eq!(a.shown(), "imaps://karta@region.ru@mail.region.ru:993/Ответы");
        assert!(!format!("{a:?}").contains("p@ss"));
        let a = Address::parse("imap://karta:secret@127.0.0.1:1143").expect("address");
        assert_eq!((a.tls, a.port, a.mailbox.as_str()), (false, 1143, "INBOX"));
        assert!(a.loopback());
        for bad in ["pop3://karta:secret@host", "imap://host", "imap://karta:secret@host:port", "imaps://:x@host"] {
            let e = Address::parse(bad).expect_err(bad).to_string();
            assert!(!e.contains("secret"), "{e}");
        }
    }
}
