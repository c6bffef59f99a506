//! Scoring curves: how an indicator value becomes 0–100 points.
//!
//! Two shapes. **Bands** give fixed points for half-open ranges `[from, to)`; the first band
//! may leave `from` out (no lower end) and the last may leave `to` out (no upper end).
//! **Piecewise-linear** curves interpolate between `[x, points]` pairs. Both are flat beyond
//! their ends: a value below the first band or point scores like the first, one above the
//! last like the last. The declared direction is checked against the shape when the model
//! is loaded, so a curve that rewards leverage by mistake is caught.

use crate::error::Problems;
use crate::file::{Direction, RawCurve, Unit};

/// A checked scoring curve.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Curve {
    pub name_zh: String,
    pub name_en: String,
    pub unit: Unit,
    pub direction: Direction,
    pub shape: Shape,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// `(from, to, points)`, contiguous and ascending; the ends may be infinite.
    Bands(Vec<(f64, f64, f64)>),
    /// `xs` strictly ascending, `ys` the points at them.
    Linear { xs: Vec<f64>, ys: Vec<f64> },
}

impl Curve {
    /// Points for a finite value.
    pub fn points(&self, x: f64) -> f64 {
        match &self.shape {
            Shape::Bands(bands) => {
                // Flat beyond the ends: below the first band → its points; at or above the
                // last band's upper end → the last band's points.
                for &(_, to, points) in bands {
                    if x < to {
                        return points;
                    }
                }
                bands.last().map_or(0.0, |b| b.2)
            }
            Shape::Linear { xs, ys } => {
                if x <= xs[0] {
                    return ys[0];
                }
                for i in 1..xs.len() {
                    if x <= xs[i] {
                        let t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
                        return ys[i - 1] + t * (ys[i] - ys[i - 1]);
                    }
                }
                ys[ys.len() - 1]
            }
        }
    }

    /// Checks a curve as written; `None` when it has problems (all recorded).
    pub fn check(raw: &RawCurve, key_offset: usize, id: &str, problems: &mut Problems) -> Option<Curve> {
        let before = problems.len();
        let shape = match (&raw.points, &raw.bands) {
            (Some(_), Some(_)) | (None, None) => {
                problems.at(key_offset, format!("indicator `{id}` needs exactly one of `points` or `bands`"));
                return None;
            }
            (Some(points), None) => check_linear(points, key_offset, id, problems),
            (None, Some(bands)) => check_bands(bands, key_offset, id, problems),
        };
        let direction = *raw.direction.get_ref();
        let ys: Vec<(usize, f64)> = match &raw.points {
            Some(points) => points.iter().map(|p| (p.span().start, p.get_ref().1)).collect(),
            None => raw.bands.iter().flatten().map(|b| (b.span().start, b.get_ref().points)).collect(),
        };
        for pair in ys.windows(2) {
            let ((_, a), (offset, b)) = (pair[0], pair[1]);
            let wrong = match direction {
                Direction::HigherBetter => b < a,
                Direction::LowerBetter => b > a,
                Direction::Target => false,
            };
            if wrong {
                let way = if direction == Direction::HigherBetter { "fall" } else { "rise" };
                problems.at(
                    offset,
                    format!(
                        "indicator `{id}` is {}, so its points may not {way} ({a} then {b})",
                        direction_text(direction)
                    ),
                );
            }
        }
        if problems.len() > before {
            return None;
        }
        Some(Curve {
            name_zh: raw.name_zh.clone(),
            name_en: raw.name_en.clone(),
            unit: raw.unit,
            direction,
            shape: shape?,
        })
    }
}

fn direction_text(d: Direction) -> &'static str {
    match d {
        Direction::HigherBetter => "higher_better",
        Direction::LowerBetter => "lower_better",
        Direction::Target => "target",
    }
}

fn check_points_range(points: f64, offset: usize, id: &str, problems: &mut Problems) {
    if !(0.0..=100.0).contains(&points) {
        problems.at(offset, format!("indicator `{id}`: points must be within 0–100, found {points}"));
    }
}

fn check_linear(
    points: &[toml::Spanned<(f64, f64)>],
    key_offset: usize,
    id: &str,
    problems: &mut Problems,
) -> Option<Shape> {
    if points.len() < 2 {
        problems
            .at(key_offset, format!("indicator `{id}`: a piecewise-linear curve needs at least two points"));
        return None;
    }
    let mut xs = Vec::with_capacity(points.len());
    let mut ys = Vec::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        let (x, y) = *p.get_ref();
        let offset = p.span().start;
        if !x.is_finite() {
            problems.at(offset, format!("indicator `{id}`: x must be a finite number"));
        }
        if i > 0 && x <= xs[i - 1] {
            problems.at(
                offset,
                format!("indicator `{id}`: x values must rise strictly ({} then {x})", xs[i - 1]),
            );
        }
        check_points_range(y, offset, id, problems);
        xs.push(x);
        ys.push(y);
    }
    Some(Shape::Linear { xs, ys })
}

fn check_bands(
    bands: &[toml::Spanned<crate::file::RawBand>],
    key_offset: usize,
    id: &str,
    problems: &mut Problems,
) -> Option<Shape> {
    if bands.is_empty() {
        problems.at(key_offset, format!("indicator `{id}`: `bands` is empty"));
        return None;
    }
    let last = bands.len() - 1;
    let mut out = Vec::with_capacity(bands.len());
    for (i, b) in bands.iter().enumerate() {
        let offset = b.span().start;
        let band = b.get_ref();
        let from = match band.from {
            Some(v) => v,
            None if i == 0 => f64::NEG_INFINITY,
            None => {
                problems.at(offset, format!("indicator `{id}`: only the first band may leave out `from`"));
                f64::NEG_INFINITY
            }
        };
        let to = match band.to {
            Some(v) => v,
            None if i == last => f64::INFINITY,
            None => {
                problems.at(offset, format!("indicator `{id}`: only the last band may leave out `to`"));
                f64::INFINITY
            }
        };
        if from >= to {
            problems.at(offset, format!("indicator `{id}`: band `from` {from} is not below `to` {to}"));
        }
        if let Some(&(_, prev_to, _)) = out.last() {
            if from > prev_to {
                problems.at(
                    offset,
                    format!("indicator `{id}`: gap between bands: {prev_to} to {from} is not covered"),
                );
            } else if from < prev_to {
                problems.at(offset, format!("indicator `{id}`: bands overlap: this band starts at {from}, the previous ends at {prev_to}"));
            }
        }
        check_points_range(band.points, offset, id, problems);
        out.push((from, to, band.points));
    }
    Some(Shape::Bands(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(xs: &[f64], ys: &[f64]) -> Curve {
        curve(Shape::Linear { xs: xs.to_vec(), ys: ys.to_vec() })
    }

    fn curve(shape: Shape) -> Curve {
        Curve {
            name_zh: String::new(),
            name_en: String::new(),
            unit: Unit::Ratio,
            direction: Direction::Target,
            shape,
        }
    }

    fn check(c: &Curve, cases: &[(f64, f64)]) {
        for &(x, expected) in cases {
            let got = c.points(x);
            assert!((got - expected).abs() < 1e-9, "x = {x}: expected {expected}, got {got}");
        }
    }

    #[test]
    fn linear_interpolates_and_is_flat_beyond_the_ends() {
        let c = linear(&[0.5, 1.0, 2.0], &[0.0, 40.0, 100.0]);
        check(
            &c,
            &[(-3.0, 0.0), (0.5, 0.0), (0.75, 20.0), (1.0, 40.0), (1.5, 70.0), (2.0, 100.0), (9.0, 100.0)],
        );
    }

    #[test]
    fn bands_are_half_open_and_flat_beyond_the_ends() {
        let c = curve(Shape::Bands(vec![(0.0, 1.0, 100.0), (1.0, 3.0, 50.0), (3.0, 5.0, 10.0)]));
        check(
            &c,
            &[
                (-1.0, 100.0),
                (0.0, 100.0),
                (0.999, 100.0),
                (1.0, 50.0),
                (3.0, 10.0),
                (5.0, 10.0),
                (80.0, 10.0),
            ],
        );
    }
}
