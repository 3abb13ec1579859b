//! The incremental SSE parser: framing rules, and the same events whatever the splits.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed expect is a failed test

use pretty_assertions::assert_eq;
use tether::model::sse::{SseEvent, SseParser, SseTooLarge};

fn ev(event: &str, data: &str) -> SseEvent {
    SseEvent { event: event.to_owned(), data: data.to_owned() }
}

fn parse_whole(input: &str) -> Vec<SseEvent> {
    let mut parser = SseParser::new();
    let mut events = parser.push(input.as_bytes()).expect("push");
    events.extend(parser.finish());
    events
}

const SAMPLE: &str = ": keep-alive comment\r\n\
event: message_start\r\n\
data: {\"a\":1}\r\n\
\r\n\
data: first line\n\
data:second line\n\
data\n\
id: 7\n\
retry: 100\n\
\n\
event: ping\rdata: {}\r\r\
event: no data\n\n\
data: naïve ✓\n\n";

fn sample_events() -> Vec<SseEvent> {
    vec![
        ev("message_start", "{\"a\":1}"),
        ev("message", "first line\nsecond line\n"),
        ev("ping", "{}"),
        ev("message", "naïve ✓"),
    ]
}

#[test]
fn parses_fields_comments_multiline_data_and_all_line_ends() {
    assert_eq!(parse_whole(SAMPLE), sample_events());
}

#[test]
fn splitting_the_input_anywhere_gives_the_same_events() {
    let bytes = SAMPLE.as_bytes();
    for cut in 0..=bytes.len() {
        let mut parser = SseParser::new();
        let mut events = parser.push(&bytes[..cut]).expect("push");
        events.extend(parser.push(&bytes[cut..]).expect("push"));
        events.extend(parser.finish());
        assert_eq!(events, sample_events(), "split at byte {cut}");
    }
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    for byte in bytes {
        events.extend(parser.push(std::slice::from_ref(byte)).expect("push"));
    }
    events.extend(parser.finish());
    assert_eq!(events, sample_events(), "one byte at a time");
}

#[test]
fn an_unterminated_last_event_is_delivered_at_the_end() {
    let mut parser = SseParser::new();
    assert_eq!(parser.push(b"data: [DONE]").expect("push"), vec![]);
    assert_eq!(parser.finish(), Some(ev("message", "[DONE]")));
    assert_eq!(parser.finish(), None);
}

#[test]
fn oversized_lines_and_events_are_errors() {
    let mut parser = SseParser::with_limit(16);
    assert_eq!(parser.push(b"data: 0123456789"), Ok(vec![]));
    assert_eq!(parser.push(b"abcdef"), Err(SseTooLarge { limit: 16 }));

    let mut parser = SseParser::with_limit(16);
    assert_eq!(parser.push(b"data: 01234567\n"), Ok(vec![]));
    assert_eq!(parser.push(b"data: 01234567\n"), Err(SseTooLarge { limit: 16 }));
}
