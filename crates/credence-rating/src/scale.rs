//! The two grade scales (RATE-2): letter grades by PD band and the 100-point trade-credit
//! grades by score. Both are listed best grade first; bands are half-open, the lower end
//! inclusive: PD 0.5% exactly is AA (band 0.5%–2%), score 90 exactly is AAA (90–100) and
//! 89.999 is AA. The outer ends (PD 1, score 100) belong to the outermost bands.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::Problems;
use crate::file::{RawLetterGrade, RawPointGrade};

/// Which scale a grade is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    /// AAA … C by PD band.
    Letter,
    /// AAA … C on the 100-point trade-credit scale.
    Points,
}

/// One grade and its band: PD `[from, to)` on the letter scale, score `[from, to)` on the
/// points scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grade {
    pub grade: String,
    pub name_zh: String,
    pub name_en: String,
    pub from: f64,
    pub to: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scale {
    pub kind: ScaleKind,
    /// Best first.
    pub grades: Vec<Grade>,
}

impl Scale {
    /// Index (0 = best) of the grade for a PD (letter scale) or score (points scale).
    pub fn rank_of(&self, x: f64) -> usize {
        let last = self.grades.len() - 1;
        match self.kind {
            // Ascending PD: the first band whose upper end lies above the PD.
            ScaleKind::Letter => self.grades.iter().position(|g| x < g.to).unwrap_or(last),
            // Descending score: the first band whose lower end the score reaches.
            ScaleKind::Points => self.grades.iter().position(|g| x >= g.from).unwrap_or(last),
        }
    }

    /// A PD moved into the band of the grade at `rank` (letter scale).
    pub fn pd_in_band(&self, pd: f64, rank: usize) -> f64 {
        let g = &self.grades[rank];
        pd.clamp(g.from, g.to)
    }

    pub fn rank_of_grade(&self, grade: &str) -> Option<usize> {
        self.grades.iter().position(|g| g.grade == grade)
    }

    pub fn check_letter(
        raw: &[Spanned<RawLetterGrade>],
        key_offset: usize,
        problems: &mut Problems,
    ) -> Option<Scale> {
        let grades = raw
            .iter()
            .map(|g| {
                let r = g.get_ref();
                (g.span().start, &r.grade, &r.name_zh, &r.name_en, r.pd_from, r.pd_to)
            })
            .collect::<Vec<_>>();
        check(ScaleKind::Letter, &grades, key_offset, problems)
    }

    pub fn check_points(
        raw: &[Spanned<RawPointGrade>],
        key_offset: usize,
        problems: &mut Problems,
    ) -> Option<Scale> {
        let grades = raw
            .iter()
            .map(|g| {
                let r = g.get_ref();
                (g.span().start, &r.grade, &r.name_zh, &r.name_en, r.score_from, r.score_to)
            })
            .collect::<Vec<_>>();
        check(ScaleKind::Points, &grades, key_offset, problems)
    }
}

type RawGrade<'r> = (usize, &'r Spanned<String>, &'r String, &'r String, f64, f64);

fn check(kind: ScaleKind, raw: &[RawGrade<'_>], key_offset: usize, problems: &mut Problems) -> Option<Scale> {
    let before = problems.len();
    let (table, what, low, high) = match kind {
        ScaleKind::Letter => ("letter_grades", "PD", 0.0, 1.0),
        ScaleKind::Points => ("point_grades", "score", 0.0, 100.0),
    };
    if raw.is_empty() {
        problems.at(key_offset, format!("`{table}` is empty"));
        return None;
    }
    let mut grades: Vec<Grade> = Vec::with_capacity(raw.len());
    for (i, &(offset, grade, name_zh, name_en, from, to)) in raw.iter().enumerate() {
        let code = grade.get_ref();
        if grades.iter().any(|g| &g.grade == code) {
            problems.at(grade.span().start, format!("grade `{code}` appears twice in `{table}`"));
        }
        if from.partial_cmp(&to) != Some(std::cmp::Ordering::Less) {
            problems.at(offset, format!("grade {code}: {what} band {from}–{to} is empty or reversed"));
        }
        if i == 0 {
            // Best grade first: lowest PD, or highest score.
            let (end, bound) = if kind == ScaleKind::Letter { (from, low) } else { (to, high) };
            if end != bound {
                problems.at(offset, format!("the best grade's band must reach {what} {bound}, found {end}"));
            }
        } else {
            let prev = &grades[i - 1];
            // Letter bands ascend in PD, point bands descend in score.
            let (prev_edge, edge) = if kind == ScaleKind::Letter { (prev.to, from) } else { (prev.from, to) };
            if prev_edge != edge {
                let relation =
                    if (kind == ScaleKind::Letter) == (edge > prev_edge) { "gap" } else { "overlap" };
                let (prev_grade, ends) = (
                    &prev.grade,
                    if kind == ScaleKind::Letter { ("ends", "starts") } else { ("starts", "ends") },
                );
                problems.at(
                    offset,
                    format!("{relation} between grades {prev_grade} and {code}: {prev_grade} {} at {what} {prev_edge}, {code} {} at {edge}", ends.0, ends.1),
                );
            }
        }
        if i == raw.len() - 1 {
            let (end, bound) = if kind == ScaleKind::Letter { (to, high) } else { (from, low) };
            if end != bound {
                problems.at(offset, format!("the worst grade's band must reach {what} {bound}, found {end}"));
            }
        }
        grades.push(Grade {
            grade: code.clone(),
            name_zh: name_zh.clone(),
            name_en: name_en.clone(),
            from,
            to,
        });
    }
    (problems.len() == before).then_some(Scale { kind, grades })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale(kind: ScaleKind, bands: &[(&str, f64, f64)]) -> Scale {
        let grades = bands
            .iter()
            .map(|&(g, from, to)| Grade {
                grade: g.into(),
                name_zh: String::new(),
                name_en: String::new(),
                from,
                to,
            })
            .collect();
        Scale { kind, grades }
    }

    #[test]
    fn lower_ends_are_inclusive() {
        let letter = scale(ScaleKind::Letter, &[("AAA", 0.0, 0.005), ("AA", 0.005, 0.02), ("C", 0.02, 1.0)]);
        assert_eq!(letter.rank_of(0.0), 0);
        assert_eq!(letter.rank_of(0.004_999), 0);
        assert_eq!(letter.rank_of(0.005), 1);
        assert_eq!(letter.rank_of(1.0), 2);
        let points = scale(ScaleKind::Points, &[("AAA", 90.0, 100.0), ("AA", 80.0, 90.0), ("C", 0.0, 80.0)]);
        assert_eq!(points.rank_of(100.0), 0);
        assert_eq!(points.rank_of(90.0), 0);
        assert_eq!(points.rank_of(89.999), 1);
        assert_eq!(points.rank_of(0.0), 2);
    }
}
