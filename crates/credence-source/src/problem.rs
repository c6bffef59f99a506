//! Problems found in a file, a collector that locates them by byte offset, and a listing.

use std::fmt;

use crate::position::{Source, line_column, snippet};

/// One problem in a file: where it is, what it concerns and what is wrong.
///
/// Displayed as ``file:line:column: [code: ][`key`: ]message`` and, when there is a
/// snippet, the snippet on the lines below. In JSON the absent optional fields are left
/// out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The name the file is shown by, usually its path.
    pub file: String,
    /// The code of the rule, check or knock-out concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters (as editors show it for Chinese text).
    pub column: usize,
    /// The dotted key of the value concerned with array positions
    /// (`grades[2].limit.cap`), when one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub message: String,
    /// The line of the file and a line of carets under the text concerned
    /// (see [`snippet`](crate::snippet)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

impl Problem {
    /// A problem at a line and column, with no code, key or snippet.
    pub fn new(file: impl Into<String>, line: usize, column: usize, message: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            code: None,
            line,
            column,
            key: None,
            message: message.into(),
            snippet: None,
        }
    }

    /// A problem at byte `offset` of a file's text.
    pub fn at(source: Source<'_>, offset: usize, message: impl Into<String>) -> Problem {
        let (line, column) = line_column(source.text, offset);
        Problem::new(source.name, line, column, message)
    }

    /// A problem at bytes `start..end` of a file's text, with carets under them.
    pub fn spanning(source: Source<'_>, start: usize, end: usize, message: impl Into<String>) -> Problem {
        Problem { snippet: Some(snippet(source.text, start, end)), ..Problem::at(source, start, message) }
    }

    pub fn with_code(mut self, code: Option<impl Into<String>>) -> Problem {
        self.code = code.map(Into::into);
        self
    }

    pub fn with_key(mut self, key: Option<impl Into<String>>) -> Problem {
        self.key = key.map(Into::into);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(code) = &self.code {
            write!(f, "{code}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "`{key}`: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(snippet) = self.snippet.as_deref().filter(|s| !s.is_empty()) {
            write!(f, "\n{snippet}")?;
        }
        Ok(())
    }
}

/// Problems rendered one after another, each on its own line(s).
#[derive(Debug, Clone, Copy)]
pub struct Listing<'a>(pub &'a [Problem]);

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Collects the problems of one file while it is checked, each at a byte offset of the
/// file's text, so every problem is reported in one pass.
#[derive(Debug, Clone)]
pub struct Problems<'t> {
    source: Source<'t>,
    list: Vec<(usize, Problem)>,
}

impl<'t> Problems<'t> {
    /// For the text of the file shown as `file`.
    pub fn new(text: &'t str, file: &'t str) -> Problems<'t> {
        Problems { source: Source::new(file, text), list: Vec::new() }
    }

    pub fn source(&self) -> Source<'t> {
        self.source
    }

    pub fn text(&self) -> &'t str {
        self.source.text
    }

    pub fn file(&self) -> &'t str {
        self.source.name
    }

    /// Records a problem at byte `offset`; the result can be given a code or key.
    pub fn at(&mut self, offset: usize, message: impl Into<String>) -> &mut Problem {
        let problem = Problem::at(self.source, offset, message);
        self.push(offset, problem)
    }

    /// Records a problem at bytes `start..end`, with carets under them.
    pub fn spanning(&mut self, start: usize, end: usize, message: impl Into<String>) -> &mut Problem {
        let problem = Problem::spanning(self.source, start, end, message);
        self.push(start, problem)
    }

    /// Records a problem built elsewhere, ordered as if at byte `offset`.
    pub fn push(&mut self, offset: usize, problem: Problem) -> &mut Problem {
        self.list.push((offset, problem));
        &mut self.list.last_mut().expect("just pushed").1
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.list.iter().map(|(_, p)| p)
    }

    /// The problems in the order they were recorded.
    pub fn into_vec(self) -> Vec<Problem> {
        self.list.into_iter().map(|(_, p)| p).collect()
    }

    /// The problems in file order (those at the same offset in the order recorded).
    pub fn into_sorted(mut self) -> Vec<Problem> {
        self.list.sort_by_key(|(offset, _)| *offset);
        self.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_every_part_in_order() {
        let text = "a = 1\nwhen = \"curent_ratio < 1\"\n";
        let start = text.find("curent").unwrap();
        let mut p = Problems::new(text, "x.toml");
        p.spanning(start, start + "curent_ratio".len(), "unknown indicator").code = Some("W01".into());
        p.at(0, "must be 2").key = Some("a".into());
        let list = p.into_sorted();
        assert_eq!(list[0].to_string(), "x.toml:1:1: `a`: must be 2");
        assert_eq!(
            list[1].to_string(),
            "x.toml:2:9: W01: unknown indicator\n  |\n2 | when = \"curent_ratio < 1\"\n  |         ^^^^^^^^^^^^"
        );
        let both = Problem::new("f", 3, 4, "m").with_code(Some("K1")).with_key(Some("k"));
        assert_eq!(both.to_string(), "f:3:4: K1: `k`: m");
    }

    #[test]
    fn listing_shows_every_problem() {
        let problems = [Problem::new("m.toml", 1, 2, "first"), Problem::new("m.toml", 3, 4, "second")];
        assert_eq!(Listing(&problems).to_string(), "m.toml:1:2: first\nm.toml:3:4: second");
        assert_eq!(Listing(&[]).to_string(), "");
    }

    #[test]
    fn order_recorded_or_in_the_file() {
        let text = "one\ntwo\n名称 three";
        let mut p = Problems::new(text, "f");
        p.at(text.find("three").unwrap(), "c");
        p.at(4, "b");
        p.at(0, "a");
        p.at(4, "b2");
        assert_eq!(p.len(), 4);
        assert_eq!(p.iter().next().unwrap().column, 4);
        let recorded: Vec<String> = p.clone().into_vec().iter().map(|p| p.message.clone()).collect();
        assert_eq!(recorded, ["c", "b", "a", "b2"]);
        let sorted: Vec<String> = p.into_sorted().iter().map(ToString::to_string).collect();
        assert_eq!(sorted, ["f:1:1: a", "f:2:1: b", "f:2:1: b2", "f:3:4: c"]);
    }

    #[test]
    fn json_leaves_absent_fields_out() {
        let plain = Problem::new("m.toml", 1, 2, "bad");
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            r#"{"file":"m.toml","line":1,"column":2,"message":"bad"}"#
        );
        let text = "k = 流x";
        let full = Problem::spanning(Source::new("p.toml", text), 7, 8, "m")
            .with_code(Some("W1"))
            .with_key(Some("k"));
        let json = serde_json::to_value(&full).unwrap();
        assert_eq!(json["code"], "W1");
        assert_eq!(json["key"], "k");
        assert_eq!(json["column"], 6);
        assert_eq!(json["snippet"], "  |\n1 | k = 流x\n  |       ^");
        let back: Problem = serde_json::from_value(json).unwrap();
        assert_eq!(back, full);
    }
}
