//! Both shipped grade scales at every boundary.

use crate::fixtures::*;

/// Lower ends inclusive: PD 0.5% exactly is AA, just below is AAA.
#[test]
fn letter_grades_by_pd() {
    let m = builtin();
    let cases = [
        (0.0, "AAA"),
        (0.004_999_9, "AAA"),
        (0.005, "AA"),
        (0.019_999, "AA"),
        (0.02, "A"),
        (0.049_999, "A"),
        (0.05, "BBB"),
        (0.099_999, "BBB"),
        (0.10, "BB"),
        (0.199_999, "BB"),
        (0.20, "B"),
        (0.299_999, "B"),
        (0.30, "CCC"),
        (0.499_999, "CCC"),
        (0.50, "C"),
        (1.0, "C"),
    ];
    for (pd, grade) in cases {
        assert_eq!(m.grade_for_pd(pd).grade, grade, "PD {pd}");
    }
}

/// 90 is AAA, 89.999 is AA, and so on down; 100 and 0 belong to the outer grades.
#[test]
fn point_grades_by_score() {
    let m = builtin();
    let cases = [
        (100.0, "AAA"),
        (90.0, "AAA"),
        (89.999, "AA"),
        (80.0, "AA"),
        (79.999, "A"),
        (70.0, "A"),
        (69.999, "B"),
        (60.0, "B"),
        (59.999, "C"),
        (0.0, "C"),
    ];
    for (score, grade) in cases {
        assert_eq!(m.grade_for_score(score).grade, grade, "score {score}");
    }
}

/// Both scales carry names in both languages.
#[test]
fn grades_are_named_in_both_languages() {
    let m = builtin();
    for scale in [credence_rating::ScaleKind::Letter, credence_rating::ScaleKind::Points] {
        let grades = m.grades(scale);
        assert!(grades.iter().all(|g| !g.name_zh.is_empty() && !g.name_en.is_empty()));
        assert_eq!(grades.last().map(|g| g.grade.as_str()), Some("C"));
    }
    assert_eq!(m.grade_for_score(95.0).name_zh, "超优级客户");
}
