//! A small Markdown subset rendered to HTML: fenced code blocks, headings, lists, quotes,
//! paragraphs, inline code, bold, italics and links. Every character of the input is
//! HTML-escaped first, so model output can never inject markup (raw HTML shows as text).
//! Hand-written instead of pulldown-cmark to keep the wasm small.

/// Link schemes we make clickable; anything else (`javascript:`…) stays plain text.
const SAFE_SCHEMES: [&str; 3] = ["http://", "https://", "mailto:"];

/// Renders Markdown `source` to safe HTML.
pub fn to_html(source: &str) -> String {
    let mut out = String::new();
    let mut lines = source.lines().peekable();
    let mut paragraph: Vec<&str> = Vec::new();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if let Some(fence_info) = trimmed.strip_prefix("```") {
            flush_paragraph(&mut out, &mut paragraph);
            let lang = fence_info.trim();
            let mut code = String::new();
            for code_line in lines.by_ref() {
                if code_line.trim_start().starts_with("```") {
                    break;
                }
                code.push_str(code_line);
                code.push('\n');
            }
            if lang.is_empty() {
                out.push_str("<pre><code>");
            } else {
                out.push_str(&format!("<pre><code class=\"lang-{}\">", escape(lang)));
            }
            out.push_str(&escape(&code));
            out.push_str("</code></pre>");
        } else if trimmed.is_empty() {
            flush_paragraph(&mut out, &mut paragraph);
        } else if let Some((level, text)) = heading(trimmed) {
            flush_paragraph(&mut out, &mut paragraph);
            out.push_str(&format!("<h{level}>{}</h{level}>", inline(text)));
        } else if let Some(item) = bullet(trimmed) {
            flush_paragraph(&mut out, &mut paragraph);
            out.push_str("<ul>");
            out.push_str(&format!("<li>{}</li>", inline(item)));
            while let Some(next) = lines.peek().and_then(|l| bullet(l.trim_start())) {
                out.push_str(&format!("<li>{}</li>", inline(next)));
                lines.next();
            }
            out.push_str("</ul>");
        } else if let Some(item) = numbered(trimmed) {
            flush_paragraph(&mut out, &mut paragraph);
            out.push_str("<ol>");
            out.push_str(&format!("<li>{}</li>", inline(item)));
            while let Some(next) = lines.peek().and_then(|l| numbered(l.trim_start())) {
                out.push_str(&format!("<li>{}</li>", inline(next)));
                lines.next();
            }
            out.push_str("</ol>");
        } else if let Some(quoted) = trimmed.strip_prefix('>') {
            flush_paragraph(&mut out, &mut paragraph);
            out.push_str(&format!("<blockquote>{}</blockquote>", inline(quoted.trim_start())));
        } else {
            paragraph.push(line);
        }
    }
    flush_paragraph(&mut out, &mut paragraph);
    out
}

/// Emits the pending paragraph lines as one `<p>`, keeping line breaks.
fn flush_paragraph(out: &mut String, paragraph: &mut Vec<&str>) {
    if paragraph.is_empty() {
        return;
    }
    let rendered: Vec<String> = paragraph.iter().map(|l| inline(l.trim())).collect();
    out.push_str(&format!("<p>{}</p>", rendered.join("<br>")));
    paragraph.clear();
}

/// `# Title` → (1, "Title").
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|b| *b == b'#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && rest.starts_with(' ')).then(|| (level, rest.trim()))
}

/// `- item` / `* item` → "item".
fn bullet(line: &str) -> Option<&str> {
    line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")).or_else(|| line.strip_prefix("+ "))
}

/// `1. item` → "item".
fn numbered(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    line[digits..].strip_prefix(". ")
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Inline spans: `code`, **bold**, *italic* / _italic_, [text](url); the rest escaped.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('`')
            && let Some(end) = after.find('`') {
                out.push_str(&format!("<code>{}</code>", escape(&after[..end])));
                rest = &after[end + 1..];
                continue;
            }
        if let Some(after) = rest.strip_prefix("**")
            && let Some(end) = after.find("**").filter(|e| *e > 0) {
                out.push_str(&format!("<strong>{}</strong>", inline(&after[..end])));
                rest = &after[end + 2..];
                continue;
            }
        // `_` inside a word (SNAKE_CASE_NAMES) is not emphasis.
        let intraword = out.chars().last().is_some_and(char::is_alphanumeric);
        if let Some(marker) = rest.chars().next().filter(|c| *c == '*' || (*c == '_' && !intraword)) {
            let after = &rest[1..];
            if let Some(end) = after.find(marker).filter(|e| *e > 0 && !after.starts_with(' ')) {
                out.push_str(&format!("<em>{}</em>", inline(&after[..end])));
                rest = &after[end + 1..];
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix('[')
            && let Some((label, url, consumed)) = link(after)
                && SAFE_SCHEMES.iter().any(|s| url.starts_with(s)) {
                    out.push_str(&format!(
                        "<a href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{}</a>",
                        escape(url),
                        inline(label)
                    ));
                    rest = &after[consumed..];
                    continue;
                }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push_str(&escape(&c.to_string()));
        }
        rest = chars.as_str();
    }
    out
}

/// After a `[`: `label](url)` → (label, url, bytes consumed).
fn link(after: &str) -> Option<(&str, &str, usize)> {
    let close = after.find("](")?;
    let url_start = close + 2;
    let url_len = after[url_start..].find(')')?;
    Some((&after[..close], &after[url_start..url_start + url_len], url_start + url_len + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_raw_html_from_the_model() {
        assert_eq!(
            to_html("<script>alert(1)</script> & <img src=x onerror=y>"),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=y&gt;</p>"
        );
    }

    #[test]
    fn renders_code_blocks_verbatim() {
        assert_eq!(
            to_html("Look:\n```rust\nlet a = b < c; // **no**\n```\ndone"),
            "<p>Look:</p><pre><code class=\"lang-rust\">let a = b &lt; c; // **no**\n</code></pre><p>done</p>"
        );
    }

    #[test]
    fn renders_inline_spans_lists_and_headings() {
        assert_eq!(
            to_html("# Hi\n- **bold** and *it*\n- `x<y`\n\n1. one\n2. two"),
            "<h1>Hi</h1><ul><li><strong>bold</strong> and <em>it</em></li><li><code>x&lt;y</code></li></ul>\
             <ol><li>one</li><li>two</li></ol>"
        );
    }

    #[test]
    fn only_safe_links_become_anchors() {
        assert_eq!(
            to_html("[a](https://x.y/?q=\"1\") [b](javascript:alert(1))"),
            "<p><a href=\"https://x.y/?q=&quot;1&quot;\" rel=\"noopener noreferrer\" target=\"_blank\">a</a> \
             [b](javascript:alert(1))</p>"
        );
    }

    #[test]
    fn underscores_inside_words_stay() {
        assert_eq!(to_html("set OPENAI_API_KEY and _this_"), "<p>set OPENAI_API_KEY and <em>this</em></p>");
    }

    #[test]
    fn an_unclosed_fence_still_streams() {
        assert_eq!(to_html("```\nfn a"), "<pre><code>fn a\n</code></pre>");
    }
}
