//! The names of versioned artefacts: policies, strategies, group configurations, scorecard
//! models and trained models are all called like `2026-Q4-V1.0`.

/// `2026-Q4-V1.0`: a four-digit year, the quarter, then `V` major.minor.
pub fn is_version_name(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let [year, quarter, version] = parts.as_slice() else { return false };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let numbered = version
        .strip_prefix('V')
        .and_then(|s| s.split_once('.'))
        .is_some_and(|(a, b)| digits(a) && digits(b));
    year.len() == 4 && digits(year) && matches!(*quarter, "Q1" | "Q2" | "Q3" | "Q4") && numbered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names() {
        assert!(is_version_name("2026-Q4-V1.0"));
        assert!(is_version_name("2027-Q1-V12.3"));
        for bad in [
            "v1",
            "2026-Q5-V1.0",
            "26-Q4-V1.0",
            "2026-Q4-1.0",
            "2026-Q4-V1",
            "2026-Q4-V1.x",
            "2026-Q4-V1.0-x",
            "",
        ] {
            assert!(!is_version_name(bad), "{bad}");
        }
    }
}
