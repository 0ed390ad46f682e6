//! JSON string escaping, shared by every stage that writes a value into JSON text (the JSON
//! mode, placeholders restored inside tool-call arguments).

/// Writes `text` as a JSON string: quotes, `"` and `\` escaped, control characters as
/// `\n`-style or `\u00XX` escapes. Bytes that are not UTF-8 (an action never makes them
/// from UTF-8 input, but a user rule could cut a character) become U+FFFD.
pub(crate) fn write_escaped(text: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    let text = String::from_utf8_lossy(text);
    let bytes = text.as_bytes();
    let mut from = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[from..i]);
        if esc.is_empty() {
            out.extend_from_slice(format!("\\u{c:04x}").as_bytes());
        } else {
            out.extend_from_slice(esc);
        }
        from = i + 1;
    }
    out.extend_from_slice(&bytes[from..]);
    out.push(b'"');
}
