//! Errors told in the user's language: [`Explain`] gives an error's [`Message`] in both
//! languages (its `Display` stays the Russian text the web app shows), and [`os_error`] puts
//! the operating system's errors into words instead of passing on its English.

use super::Message;
use crate::msg;

/// An error that can be told in Russian and in English.
pub trait Explain {
    fn explain(&self) -> Message;
}

impl Explain for std::io::Error {
    fn explain(&self) -> Message {
        os_error(self)
    }
}

/// What an operating-system error means, in both languages; an error of no kind named here
/// keeps the system's own text.
pub fn os_error(e: &std::io::Error) -> Message {
    use std::io::ErrorKind as K;
    let (ru, en) = match e.kind() {
        K::NotFound => ("нет такого файла или каталога", "no such file or directory"),
        K::PermissionDenied => ("нет прав доступа", "permission denied"),
        K::AlreadyExists => ("файл уже существует", "the file already exists"),
        K::IsADirectory => ("это каталог, а не файл", "it is a directory, not a file"),
        K::NotADirectory => ("часть пути — не каталог", "a part of the path is not a directory"),
        K::DirectoryNotEmpty => ("каталог не пуст", "the directory is not empty"),
        K::StorageFull | K::QuotaExceeded => ("нет места на диске", "no space left on the disk"),
        K::ReadOnlyFilesystem => ("файловая система только для чтения", "the file system is read-only"),
        K::InvalidData => {
            ("данные не в ожидаемом виде (например, не UTF-8)", "the data is not in the expected form (e.g. not UTF-8)")
        }
        K::ConnectionRefused => (
            "соединение отклонено: сервер не запущен или порт закрыт",
            "connection refused: the server is not running or the port is closed",
        ),
        K::ConnectionReset | K::ConnectionAborted => ("соединение разорвано", "the connection was reset"),
        K::TimedOut => ("время ожидания истекло", "the operation timed out"),
        K::AddrInUse => ("адрес уже занят другой программой", "the address is already in use"),
        K::AddrNotAvailable => ("адрес недоступен на этой машине", "the address is not available on this machine"),
        K::HostUnreachable | K::NetworkUnreachable => {
            ("сеть или узел недоступны", "the network or host is unreachable")
        }
        K::BrokenPipe => ("канал закрыт другой стороной", "the pipe was closed by the other side"),
        K::FileTooLarge => ("файл слишком велик", "the file is too large"),
        K::ExecutableFileBusy => ("файл занят выполняемой программой", "the file is busy"),
        K::UnexpectedEof => ("файл оборван (неожиданный конец)", "the file ends unexpectedly"),
        _ => return msg!("ошибка системы: {}", e; "{}", e),
    };
    Message::new(ru, en)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Lang;

    #[test]
    fn os_errors_are_told_in_both_languages() {
        let missing = std::fs::read("/definitely/not/here").unwrap_err();
        let m = missing.explain();
        assert_eq!(m.get(Lang::Ru), "нет такого файла или каталога");
        assert_eq!(m.get(Lang::En), "no such file or directory");
        let other = std::io::Error::other("strange");
        assert_eq!(os_error(&other).get(Lang::Ru), "ошибка системы: strange");
    }
}
