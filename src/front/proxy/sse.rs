//! Server-sent events, parsed incrementally as the bytes arrive.
//!
//! An event ends at a blank line (`\n\n` or `\r\n\r\n`). Its `event:`, `data:` (several
//! lines joined with `\n`) and `id:` fields are read; comments and other fields are kept in
//! the event's raw bytes, which are re-sent unchanged when the event is not rewritten. An event
//! is capped at [`MAX_EVENT`] bytes.

/// The largest event accepted (a whole tool call's arguments can arrive in one event).
pub(crate) const MAX_EVENT: usize = 16 << 20;

/// One event.
#[derive(Debug, Default)]
pub(crate) struct Event {
    /// The event exactly as received, blank line included.
    pub raw: Vec<u8>,
    /// The `event:` field.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`; `None` when the event has none (a comment).
    pub data: Option<String>,
    /// The `id:` field.
    pub id: Option<String>,
}

impl Event {
    /// Writes an event with these fields and `data`.
    pub(crate) fn write(event: Option<&str>, id: Option<&str>, data: &[u8], out: &mut Vec<u8>) {
        if let Some(e) = event {
            out.extend_from_slice(b"event: ");
            out.extend_from_slice(e.as_bytes());
            out.push(b'\n');
        }
        if let Some(i) = id {
            out.extend_from_slice(b"id: ");
            out.extend_from_slice(i.as_bytes());
            out.push(b'\n');
        }
        // JSON written by serde_json has no raw newline; split anyway so any data is valid.
        for line in data.split(|&b| b == b'\n') {
            out.extend_from_slice(b"data: ");
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out.push(b'\n');
    }
}

/// Why a stream cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SseError {
    /// An event longer than [`MAX_EVENT`].
    TooLong,
    /// An event that is not UTF-8.
    NotUtf8,
}

/// The incremental parser.
#[derive(Default)]
pub(crate) struct Parser {
    buf: Vec<u8>,
    /// Where the current event starts in `buf`.
    start: usize,
    /// Where the next line starts (everything before it was scanned).
    line: usize,
}

impl Parser {
    /// Takes more bytes; appends every event now complete to `out`.
    pub(crate) fn push(&mut self, bytes: &[u8], out: &mut Vec<Event>) -> Result<(), SseError> {
        self.buf.extend_from_slice(bytes);
        while let Some(nl) = memchr::memchr(b'\n', &self.buf[self.line..]) {
            let end = self.line + nl;
            let line = &self.buf[self.line..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() && self.line > self.start {
                out.push(parse(&self.buf[self.start..end + 1])?);
                self.start = end + 1;
            } else if line.is_empty() {
                // Blank lines between events.
                self.start = end + 1;
            }
            self.line = end + 1;
        }
        if self.buf.len() - self.start > MAX_EVENT {
            return Err(SseError::TooLong);
        }
        if self.start > 0 && (self.start == self.buf.len() || self.start > 64 * 1024) {
            self.buf.drain(..self.start);
            self.line -= self.start;
            self.start = 0;
        }
        Ok(())
    }

    /// Ends the stream: a last event without its blank line is still an event.
    pub(crate) fn finish(&mut self, out: &mut Vec<Event>) -> Result<(), SseError> {
        if self.buf[self.start..]
            .iter()
            .any(|b| !b.is_ascii_whitespace())
        {
            let mut raw = self.buf[self.start..].to_vec();
            raw.extend_from_slice(b"\n\n");
            out.push(parse(&raw)?);
        }
        self.buf.clear();
        self.start = 0;
        self.line = 0;
        Ok(())
    }
}

fn parse(raw: &[u8]) -> Result<Event, SseError> {
    let text = std::str::from_utf8(raw).map_err(|_| SseError::NotUtf8)?;
    let mut ev = Event {
        raw: raw.to_vec(),
        ..Event::default()
    };
    for line in text.lines() {
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => ev.event = Some(value.to_string()),
            "id" => ev.id = Some(value.to_string()),
            "data" => match ev.data {
                Some(ref mut d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => ev.data = Some(value.to_string()),
            },
            _ => {}
        }
    }
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_split_gives_the_same_events() {
        let text =
            b": ping\n\nevent: a\ndata: {\"x\":1}\n\ndata: l1\r\ndata: l2\r\n\r\ndata: [DONE]\n\n";
        for n in 1..text.len() {
            let mut p = Parser::default();
            let mut out = vec![];
            for c in text.chunks(n) {
                p.push(c, &mut out).unwrap();
            }
            p.finish(&mut out).unwrap();
            let got: Vec<_> = out
                .iter()
                .map(|e| (e.event.clone(), e.data.clone()))
                .collect();
            assert_eq!(
                got,
                vec![
                    (None, None),
                    (Some("a".into()), Some("{\"x\":1}".into())),
                    (None, Some("l1\nl2".into())),
                    (None, Some("[DONE]".into())),
                ],
                "chunk {n}"
            );
            let raw: Vec<u8> = out.iter().flat_map(|e| e.raw.clone()).collect();
            assert_eq!(raw, text.to_vec());
        }
    }

    #[test]
    fn last_event_without_blank_line() {
        let mut p = Parser::default();
        let mut out = vec![];
        p.push(b"data: x", &mut out).unwrap();
        assert!(out.is_empty());
        p.finish(&mut out).unwrap();
        assert_eq!(out[0].data.as_deref(), Some("x"));
    }
}
