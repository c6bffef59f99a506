//! "Did you mean" hints for misspelt names.

/// The closest of `candidates` to `name` within two edits, as ` (did you mean 'x'?)` to
/// append to a message; empty when none is that close. Ties go to the smallest name.
pub fn suggestion<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> String {
    candidates
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_name_within_two_edits() {
        let names = ["current_ratio", "quick_ratio", "cash"];
        assert_eq!(suggestion("curent_ratio", names.into_iter()), " (did you mean 'current_ratio'?)");
        assert_eq!(suggestion("cahs", names.into_iter()), " (did you mean 'cash'?)");
        assert_eq!(suggestion("revenue", names.into_iter()), "");
        assert_eq!(suggestion("ab", ["aa", "ac"].into_iter()), " (did you mean 'aa'?)");
    }
}
