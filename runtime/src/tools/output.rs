//! Bounded text collection for command output: keeps the head and the tail of an
//! arbitrarily long stream in bounded memory, and decodes UTF-8 across chunk borders.

/// Decodes a byte stream chunk by chunk without splitting a character between chunks.
#[derive(Debug, Default)]
pub(crate) struct Utf8Stream {
    /// Bytes of a character whose remaining bytes have not arrived yet.
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Decodes as much of `pending + bytes` as is complete; invalid bytes become U+FFFD.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        let mut rest: &[u8] = &self.pending;
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    out.push_str(text);
                    rest = &[];
                    break;
                }
                Err(err) => {
                    let (valid, after) = rest.split_at(err.valid_up_to());
                    out.push_str(&String::from_utf8_lossy(valid));
                    match err.error_len() {
                        Some(bad) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            rest = &after[bad..];
                        }
                        // An incomplete character at the end: keep it for the next chunk.
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        self.pending = rest.to_vec();
        out
    }

    /// Whatever is left at end of stream, lossily.
    pub(crate) fn finish(&mut self) -> String {
        let out = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        out
    }
}

/// Text capped to `head + tail` characters, remembering how many were dropped between.
#[derive(Debug)]
pub(crate) struct CappedText {
    head_cap: usize,
    tail_cap: usize,
    head: String,
    head_chars: usize,
    /// Grows to twice `tail_cap`, then is trimmed back, so trimming is amortised.
    tail: String,
    tail_chars: usize,
    dropped: usize,
}

impl CappedText {
    /// Keeps at most `head_cap` leading and `tail_cap` trailing characters.
    pub(crate) fn new(head_cap: usize, tail_cap: usize) -> Self {
        Self { head_cap, tail_cap, head: String::new(), head_chars: 0, tail: String::new(), tail_chars: 0, dropped: 0 }
    }

    /// Appends text.
    pub(crate) fn push(&mut self, text: &str) {
        let mut chars = text.chars();
        while self.head_chars < self.head_cap {
            match chars.next() {
                Some(c) => {
                    self.head.push(c);
                    self.head_chars += 1;
                }
                None => return,
            }
        }
        let rest = chars.as_str();
        self.tail.push_str(rest);
        self.tail_chars += rest.chars().count();
        if self.tail_chars > self.tail_cap.saturating_mul(2).max(1) {
            self.trim_tail();
        }
    }

    fn trim_tail(&mut self) {
        let excess = self.tail_chars.saturating_sub(self.tail_cap);
        let cut = self.tail.char_indices().nth(excess).map_or(self.tail.len(), |(i, _)| i);
        self.tail.drain(..cut);
        self.tail_chars -= excess;
        self.dropped += excess;
    }

    /// Whether nothing was pushed.
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_empty()
    }

    /// The kept text; when something was cut, a notice between head and tail says how much.
    pub(crate) fn finish(mut self) -> String {
        if self.tail_chars > self.tail_cap {
            self.trim_tail();
        }
        if self.dropped == 0 {
            return self.head + &self.tail;
        }
        format!(
            "{}\n\n[... output truncated: {} characters omitted; showing the first {} and last {} ...]\n\n{}",
            self.head, self.dropped, self.head_chars, self.tail_chars, self.tail
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_stream_joins_split_characters() {
        let mut stream = Utf8Stream::default();
        let bytes = "héllo".as_bytes();
        assert_eq!(stream.push(&bytes[..2]), "h");
        assert_eq!(stream.push(&bytes[2..]), "éllo");
        assert_eq!(stream.push(b"a\xffb"), "a\u{FFFD}b");
        assert_eq!(stream.push(b"\xe2\x82"), "");
        assert_eq!(stream.finish(), "\u{FFFD}");
    }

    #[test]
    fn capped_text_keeps_head_and_tail() {
        let mut text = CappedText::new(3, 4);
        for chunk in ["ab", "cdefg", "hijkl", "mn"] {
            text.push(chunk);
        }
        let out = text.finish();
        assert!(out.starts_with("abc\n"), "{out}");
        assert!(out.ends_with("\nklmn"), "{out}");
        assert!(out.contains("7 characters omitted"), "{out}");

        let mut small = CappedText::new(3, 4);
        small.push("abcdefg");
        assert_eq!(small.finish(), "abcdefg");
    }
}
