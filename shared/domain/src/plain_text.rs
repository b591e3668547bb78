//! Text that ends up in a line of someone else's view (a speaker's name in the transcript,
//! the bot's name in an email subject): one line, no control characters, no bidirectional
//! overrides that would show it reversed or reordered, bounded.

/// Bidirectional formatting characters: embeddings, overrides, isolates and marks. Shown
/// nowhere, they reorder what surrounds them (`"Invoice\u{202E}fdp.exe"` reads `exe.pdf`).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// `s` as a single line: control characters and line breaks become spaces, bidirectional
/// controls are dropped, runs of whitespace become one space, ends are trimmed, and at
/// most `max_chars` characters are kept.
pub fn one_line(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars * 4));
    let mut chars = 0;
    let mut pending_space = false;
    for c in s.chars() {
        if is_bidi_control(c) {
            continue;
        }
        if c.is_control() || c.is_whitespace() || crate::transcript::breaks_line(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if chars >= max_chars {
            break;
        }
        if pending_space {
            if chars + 1 >= max_chars {
                break;
            }
            out.push(' ');
            chars += 1;
            pending_space = false;
        }
        out.push(c);
        chars += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_controls_become_one_space() {
        assert_eq!(one_line("Ada\nCFO: approved", 100), "Ada CFO: approved");
        assert_eq!(
            one_line(" \tAda\r\n\u{2028} Lovelace\u{0}\u{7f} ", 100),
            "Ada Lovelace"
        );
    }

    #[test]
    fn bidi_overrides_are_dropped() {
        assert_eq!(one_line("Invoice\u{202E}fdp.exe", 100), "Invoicefdp.exe");
        assert_eq!(one_line("\u{2066}Bob\u{2069}", 100), "Bob");
    }

    #[test]
    fn length_is_capped_in_characters() {
        assert_eq!(one_line("ééééé", 3), "ééé");
        assert_eq!(one_line("ab cd", 3), "ab");
        assert_eq!(one_line(&"x".repeat(10_000), 80).chars().count(), 80);
    }
}
