//! Locating problems in TOML files: the dotted key at a position, and the TOML parser's
//! own errors as problems.

use crate::position::{Source, floor_boundary};
use crate::problem::Problem;

/// A TOML syntax or type error as a problem at the position the parser gives (the start
/// of the file when it gives none), with the dotted key written there ([`key_at`]) and the
/// parser's message.
pub fn from_toml_error(source: Source<'_>, error: &toml::de::Error) -> Problem {
    let offset = error.span().map_or(0, |s| s.start);
    Problem::at(source, offset, error.message().trim()).with_key(key_at(source.text, offset))
}

/// The dotted key written at a byte offset: the table headers above it (`[[grades]]`
/// counted, so the third is `grades[2]`) and the key of its line. On a header line, the
/// header's name; `None` when nothing names the place (a comment before any table).
pub fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = floor_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let table = table_above(&text[..line_start]);
    let line = text[line_start..].lines().next().unwrap_or("");
    let t = line.trim_start();
    if t.starts_with('[') {
        let name = t.trim_start_matches('[').split(']').next().unwrap_or("").trim();
        return (!name.is_empty()).then(|| name.to_owned());
    }
    let key = (!t.starts_with('#')).then(|| t.split_once('=').map(|(k, _)| k.trim())).flatten();
    match (table.is_empty(), key.filter(|k| !k.is_empty())) {
        (_, None) => (!table.is_empty()).then_some(table),
        (true, Some(k)) => Some(k.to_owned()),
        (false, Some(k)) => Some(format!("{table}.{k}")),
    }
}

/// The table the last header of `text` opens, with the position of an array of tables.
fn table_above(text: &str) -> String {
    let mut table = String::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_owned();
            let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((name.clone(), 0));
                    0
                }
            };
            table = format!("{name}[{n}]");
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            table = name.trim().to_owned();
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_count_arrays_of_tables() {
        let text =
            "version = 1\n[[grades]]\ngrade = \"AAA\"\n[[grades]]\nterm_days = -1\n[check]\nx = 2\n# note\n";
        let at = |needle: &str| key_at(text, text.find(needle).unwrap());
        assert_eq!(at("1\n").as_deref(), Some("version"));
        assert_eq!(at("\"AAA\"").as_deref(), Some("grades[0].grade"));
        assert_eq!(at("-1").as_deref(), Some("grades[1].term_days"));
        assert_eq!(at("2\n").as_deref(), Some("check.x"));
        assert_eq!(at("[check]").as_deref(), Some("check"));
        assert_eq!(at("# note").as_deref(), Some("check"));
        assert_eq!(key_at("# only a comment", 3), None);
    }

    #[test]
    fn parser_errors_are_located() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct File {
            limit: Limit,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Limit {
            cap: u32,
        }
        let text = "# 名称\n[limit]\ncap = \"many\"\n";
        let error = toml::from_str::<File>(text).unwrap_err();
        let p = from_toml_error(Source::new("p.toml", text), &error);
        assert_eq!((p.line, p.column), (3, 7));
        assert_eq!(p.key.as_deref(), Some("limit.cap"));
        assert!(p.to_string().starts_with("p.toml:3:7: `limit.cap`: invalid type"), "{p}");
    }
}
