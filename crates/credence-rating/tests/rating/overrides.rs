//! Manual overrides: validated, recorded, the model's grade kept.

use credence_rating::{Override, OverrideError, ScaleKind};

use crate::fixtures::*;

fn request(scale: ScaleKind, grade: &str, reason: &str, approver: &str) -> Override {
    Override { scale, grade: grade.into(), reason: reason.into(), approver: approver.into() }
}

#[test]
fn override_needs_reason_approver_and_a_real_grade() {
    let m = builtin();
    let r = rate(&m, &set(strong()), ("large", "F", None), &[]);
    let cases = [
        (request(ScaleKind::Letter, "A", "  ", "Li Wei"), OverrideError::ReasonMissing),
        (request(ScaleKind::Letter, "A", "parent guarantee", ""), OverrideError::ApproverMissing),
        (
            request(ScaleKind::Points, "BBB", "parent guarantee", "Li Wei"),
            OverrideError::UnknownGrade {
                grade: "BBB".into(),
                scale: ScaleKind::Points,
                known: "AAA, AA, A, B, C".into(),
            },
        ),
    ];
    for (req, err) in cases {
        assert_eq!(m.apply_override(&r, &req), Err(err));
    }
    let other = small();
    assert_eq!(
        other.apply_override(&r, &request(ScaleKind::Letter, "A", "x", "y")),
        Err(OverrideError::ModelMismatch { rating: "2026-Q4-V1.2".into(), model: "2026-Q4-V0.1".into() })
    );
}

/// A letter override to BBB moves the grade PD to BBB's lower edge, 5%; a second override
/// keeps the model's original grade; the 100-point grade is untouched.
#[test]
fn override_is_recorded_with_the_original_grade() {
    let m = builtin();
    let r = rate(&m, &set(strong()), ("large", "F", None), &[]);
    let once =
        m.apply_override(&r, &request(ScaleKind::Letter, "BBB", "group in distress", "Li Wei")).unwrap();
    assert_eq!((once.letter_grade.as_str(), once.point_grade.as_str()), ("BBB", "AAA"));
    assert_eq!(once.grade_pd, 0.05);
    assert_eq!(once.pd, r.pd);
    let twice =
        m.apply_override(&once, &request(ScaleKind::Letter, "A", "guarantee received", "Zhang Min")).unwrap();
    let trail: Vec<(&str, &str, &str)> = twice
        .overrides
        .iter()
        .map(|o| (o.original_grade.as_str(), o.previous_grade.as_str(), o.grade.as_str()))
        .collect();
    assert_eq!(trail, [("AAA", "AAA", "BBB"), ("AAA", "BBB", "A")]);
    assert_eq!(twice.overrides[1].approver, "Zhang Min");
    assert_eq!(twice.grade_pd, 0.02);
}
