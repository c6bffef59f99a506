//! Trends of an indicator (IND-4) from its values at the current period and the twelve
//! quarters before it, each found by evaluating the same compiled formula there.
//!
//! * QoQ: (v₀ − v₁) / |v₁|, YoY: (v₀ − v₄) / |v₄| — `None` when the earlier value is
//!   missing or zero.
//! * 3-year CAGR: (v₀ / v₁₂)^(1/3) − 1, only when both are positive.
//! * Slope: ordinary least squares of the value on time in years over the points among
//!   v₀ … v₁₁ that exist (at least three), in the indicator's unit per year: values
//!   1, 2, …, 12 one quarter apart give 4 per year.

use crate::value::Trend;

/// Points evaluated for trends: now and twelve quarters back.
pub(crate) const TREND_POINTS: usize = 13;

fn relative(now: f64, then: Option<f64>) -> Option<f64> {
    then.filter(|t| *t != 0.0).map(|t| (now - t) / t.abs())
}

/// The trend of a series whose element k is the value k quarters before now; `series[0]`
/// is the current value.
pub(crate) fn trend(now: f64, series: &[Option<f64>; TREND_POINTS]) -> Trend {
    let cagr_3y =
        series[12].filter(|&then| then > 0.0 && now > 0.0).map(|then| (now / then).powf(1.0 / 3.0) - 1.0);
    let (mut n, mut st, mut sv, mut stt, mut stv) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (k, v) in series[..12].iter().enumerate() {
        if let Some(v) = v {
            let t = -(k as f64) / 4.0;
            n += 1.0;
            st += t;
            sv += v;
            stt += t * t;
            stv += t * v;
        }
    }
    let slope_3y = (n >= 3.0).then(|| (n * stv - st * sv) / (n * stt - st * st));
    Trend { qoq: relative(now, series[1]), yoy: relative(now, series[4]), cagr_3y, slope_3y }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-12,
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn straight_line_and_growth() {
        // Values 13 (now), 12, …, 1 (twelve quarters back).
        let mut s = [None; TREND_POINTS];
        for (k, v) in s.iter_mut().enumerate() {
            *v = Some(13.0 - k as f64);
        }
        let t = trend(13.0, &s);
        assert!(close(t.qoq, Some(1.0 / 12.0)));
        assert!(close(t.yoy, Some(4.0 / 9.0)));
        assert!(close(t.cagr_3y, Some(13f64.cbrt() - 1.0)));
        assert!(close(t.slope_3y, Some(4.0)));
    }

    /// Least-squares slope of (t, v) points, computed the textbook way.
    fn ols(points: &[(f64, f64)]) -> f64 {
        let n = points.len() as f64;
        let mt = points.iter().map(|p| p.0).sum::<f64>() / n;
        let mv = points.iter().map(|p| p.1).sum::<f64>() / n;
        let cov: f64 = points.iter().map(|(t, v)| (t - mt) * (v - mv)).sum();
        let var: f64 = points.iter().map(|(t, _)| (t - mt) * (t - mt)).sum();
        cov / var
    }

    #[test]
    fn gaps_zero_bases_and_negative_values() {
        let mut s = [None; TREND_POINTS];
        s[0] = Some(-2.0);
        s[1] = Some(0.0);
        let t = trend(-2.0, &s);
        // Two points are not enough for a slope; a zero base gives no QoQ.
        assert_eq!((t.qoq, t.yoy, t.cagr_3y, t.slope_3y), (None, None, None, None));
        s[4] = Some(-4.0);
        s[12] = Some(5.0);
        let t = trend(-2.0, &s);
        assert!(close(t.yoy, Some(0.5)));
        assert_eq!(t.cagr_3y, None, "negative now");
        // Points at 0, −0.25 and −1 years; v₁₂ is outside the slope's twelve quarters.
        assert!(close(t.slope_3y, Some(ols(&[(0.0, -2.0), (-0.25, 0.0), (-1.0, -4.0)]))));
    }
}
