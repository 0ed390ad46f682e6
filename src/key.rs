//! Secret keys for the keyed actions. A key comes from a file or an environment variable,
//! never from a command-line flag (flags show in `ps`). Its bytes never appear in `Debug`
//! output, errors or reports.

use std::fmt;

use crate::error::{Error, ErrorKind};

/// The environment variable read for the key when no key file is given.
pub const KEY_ENV: &str = "BLACKBAR_KEY";

/// The shortest key accepted, in bytes.
pub const MIN_KEY_LEN: usize = 16;

/// A secret key for HMAC (the `hash` action).
#[derive(Clone)]
pub struct Key {
    bytes: Vec<u8>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl Key {
    /// A key from raw bytes (surrounding whitespace, e.g. a trailing newline, is trimmed).
    ///
    /// # Errors
    ///
    /// A key shorter than [`MIN_KEY_LEN`] bytes.
    pub fn new(bytes: &[u8]) -> Result<Key, Error> {
        let bytes = bytes.trim_ascii();
        if bytes.len() < MIN_KEY_LEN {
            return Err(Error::new(ErrorKind::Key(format!(
                "too short: {} bytes, at least {MIN_KEY_LEN} needed",
                bytes.len()
            ))));
        }
        Ok(Key {
            bytes: bytes.to_vec(),
        })
    }

    /// Reads a key file.
    ///
    /// # Errors
    ///
    /// An unreadable file or a short key, naming the file.
    pub fn from_file(path: &std::path::Path) -> Result<Key, Error> {
        let origin = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::new(ErrorKind::Key(format!("cannot read: {e}"))).at(&origin))?;
        Key::new(&bytes).map_err(|e| e.at(&origin))
    }

    /// Reads the key from [`KEY_ENV`], if set.
    ///
    /// # Errors
    ///
    /// A key that is set but too short.
    pub fn from_env() -> Result<Option<Key>, Error> {
        match std::env::var_os(KEY_ENV) {
            None => Ok(None),
            Some(v) => Key::new(v.as_encoded_bytes())
                .map(Some)
                .map_err(|e| e.at(KEY_ENV)),
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}
