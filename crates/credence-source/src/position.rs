//! Positions in a text: byte offsets to lines and character columns, and the caret
//! snippet under a span.

/// A file's text and the name it is shown by in messages (usually its path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source<'t> {
    pub name: &'t str,
    pub text: &'t str,
}

impl<'t> Source<'t> {
    pub fn new(name: &'t str, text: &'t str) -> Source<'t> {
        Source { name, text }
    }

    /// 1-based line and character column of a byte offset; see [`line_column`].
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        line_column(self.text, offset)
    }
}

/// The nearest character boundary at or before `offset`, clamped to the text.
pub(crate) fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// 1-based line and character column of a byte offset. An offset past the end is clamped
/// to the end; one inside a character is moved back to its start.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The line holding byte `start`, numbered, and a line of carets under `start..end` (to
/// the end of that line at most; one caret for an empty span). Wide (CJK) characters get
/// two columns and tabs stay tabs, so the carets line up in a terminal.
///
/// ```text
///   |
/// 2 | when = "curent_ratio < 1"
///   |         ^^^^^^^^^^^^
/// ```
pub fn snippet(text: &str, start: usize, end: usize) -> String {
    let start = floor_boundary(text, start);
    let line = line_column(text, start).0;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let source = text[line_start..line_end].trim_end_matches('\r');
    let end = floor_boundary(text, end.clamp(start, line_end));
    let lead: String = text[line_start..start]
        .chars()
        .map(|c| match c {
            '\t' => "\t",
            c if is_wide(c) => "  ",
            _ => " ",
        })
        .collect();
    let carets = "^".repeat(width(&text[start..end]).max(1));
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    format!("{pad} |\n{number} | {source}\n{pad} | {lead}{carets}")
}

/// Terminal columns of a text: two for a wide (CJK) character, one for any other.
fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// The byte offset in `text` of the first character of a TOML string value whose span
/// (quotes included) is `span`, when the string holds `value` verbatim (no escapes), so
/// offsets inside the value map one to one onto the file. A newline right after the
/// opening `"""` or `'''` is not part of the value.
pub fn verbatim_start(text: &str, span: &std::ops::Range<usize>, value: &str) -> Option<usize> {
    let raw = text.get(span.clone())?;
    let delimiter = if raw.starts_with("'''") || raw.starts_with("\"\"\"") { 3 } else { 1 };
    let mut start = span.start + delimiter;
    if delimiter == 3 {
        if text[start..].starts_with("\r\n") {
            start += 2;
        } else if text[start..].starts_with('\n') {
            start += 1;
        }
    }
    (text.get(start..span.end.checked_sub(delimiter)?)? == value).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "a = 1\n名称 = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 5));
        assert_eq!(line_column(text, 6), (2, 1));
        // "名称 " is 7 bytes but 3 characters.
        assert_eq!(line_column(text, 6 + 7), (2, 4));
        // Inside "名" (bytes 6..9): its start.
        assert_eq!(line_column(text, 7), (2, 1));
        // Past the end: the end.
        assert_eq!(line_column(text, 999), (3, 1));
        assert_eq!(Source::new("f", text).line_column(6 + 7), (2, 4));
    }

    #[test]
    fn carets_sit_under_the_text() {
        let text = "a = 1\nwhen = \"curent_ratio < 1\"\n";
        let start = text.find("curent").unwrap();
        assert_eq!(
            snippet(text, start, start + "curent_ratio".len()),
            "  |\n2 | when = \"curent_ratio < 1\"\n  |         ^^^^^^^^^^^^"
        );
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let text = "name_zh = \"流动比率\" x";
        let x = text.find('x').unwrap();
        assert_eq!(snippet(text, x, x + 1), format!("  |\n1 | {text}\n  | {}^", " ".repeat(21)));
        let zh = text.find('流').unwrap();
        assert_eq!(
            snippet(text, zh, zh + "流动".len()),
            format!("  |\n1 | {text}\n  | {}^^^^", " ".repeat(11))
        );
    }

    #[test]
    fn spans_are_clamped_to_their_line() {
        let text = "x = 1\r\ny = abc\r\nz = 2";
        let start = text.find("abc").unwrap();
        // Past the end of the line: carets to its end (a '\r' before the newline is not
        // shown but has its caret).
        assert_eq!(snippet(text, start, 999), "  |\n2 | y = abc\n  |     ^^^^");
        // Empty span: one caret; tabs kept so the caret lines up.
        let text = "\tk = v";
        assert_eq!(snippet(text, 5, 5), "  |\n1 | \tk = v\n  | \t    ^");
        // Past the end of the text: one caret after the last character.
        assert_eq!(snippet("ab", 9, 12), "  |\n1 | ab\n  |   ^");
        // A line number of three digits widens the gutter.
        let text = "\n".repeat(99) + "q";
        assert_eq!(snippet(&text, 99, 100), "    |\n100 | q\n    | ^");
    }

    #[test]
    fn verbatim_values_map_onto_the_file() {
        let text = "a = \"x + y\"\nb = '''\nz'''\nc = \"q\\n\"";
        let span = |needle: &str| {
            let s = text.find(needle).unwrap();
            s..s + needle.len()
        };
        assert_eq!(verbatim_start(text, &span("\"x + y\""), "x + y"), Some(5));
        assert_eq!(verbatim_start(text, &span("'''\nz'''"), "z"), Some(text.find('z').unwrap()));
        assert_eq!(verbatim_start(text, &span("\"q\\n\""), "q\n"), None);
    }
}
