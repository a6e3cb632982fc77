//! Statistical process control: a p-chart for rates and a u-chart for events per
//! batch, with the Western Electric rules (and Nelson's trend rule), so that a drift
//! is flagged before a target is missed. Limits vary with each period's size.

use serde::Serialize;

use super::compute::Tally;
use super::definition::Chart;

/// A rule a run of points broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Western Electric 1: one point beyond 3 σ.
    BeyondThreeSigma,
    /// Western Electric 2: two of three points beyond 2 σ on the same side.
    TwoOfThreeBeyondTwoSigma,
    /// Western Electric 3: four of five points beyond 1 σ on the same side.
    FourOfFiveBeyondOneSigma,
    /// Western Electric 4: eight points in a row on the same side of the centre.
    EightOnOneSide,
    /// Nelson 3: six points in a row steadily rising or falling.
    SixTrending,
}

impl Rule {
    pub fn describe(self) -> &'static str {
        match self {
            Rule::BeyondThreeSigma => "a point beyond the 3σ control limit",
            Rule::TwoOfThreeBeyondTwoSigma => "2 of 3 points beyond 2σ on one side",
            Rule::FourOfFiveBeyondOneSigma => "4 of 5 points beyond 1σ on one side",
            Rule::EightOnOneSide => "8 points in a row on one side of the centre line",
            Rule::SixTrending => "6 points in a row steadily rising or falling",
        }
    }
}

/// Above or below the centre line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Up,
    Down,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Signal {
    pub rule: Rule,
    pub side: Side,
}

/// One period on the chart. Rates are fractions (p-chart) or events per record
/// (u-chart).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlPoint {
    pub value: Option<f64>,
    pub center: f64,
    pub upper: Option<f64>,
    pub lower: Option<f64>,
    /// Distance from the centre in σ of this point.
    pub z: Option<f64>,
    /// Rules this point completes a breach of.
    pub signals: Vec<Signal>,
}

/// The chart of `points` (numerator = events or successes; for a u-chart `scale`
/// divides the numerator back to event counts, e.g. 100 for "per 100").
pub fn control(chart: Chart, points: &[Tally], scale: f64) -> Vec<ControlPoint> {
    let (sum_n, sum_d) = points.iter().fold((0.0, 0.0), |(n, d), t| {
        (n + t.numerator / scale, d + t.denominator)
    });
    let center = if sum_d > 0.0 { sum_n / sum_d } else { 0.0 };
    let mut out: Vec<ControlPoint> = points
        .iter()
        .map(|t| {
            let value = (t.denominator > 0.0).then(|| t.numerator / scale / t.denominator);
            let sigma = match chart {
                Chart::P if t.denominator > 0.0 => (center * (1.0 - center) / t.denominator).sqrt(),
                Chart::U if t.denominator > 0.0 => (center / t.denominator).sqrt(),
                _ => 0.0,
            };
            let limits = (sigma > 0.0).then(|| {
                let upper = center + 3.0 * sigma;
                let lower = (center - 3.0 * sigma).max(0.0);
                (
                    if chart == Chart::P {
                        upper.min(1.0)
                    } else {
                        upper
                    },
                    lower,
                )
            });
            ControlPoint {
                value,
                center,
                upper: limits.map(|l| l.0),
                lower: limits.map(|l| l.1),
                z: value.filter(|_| sigma > 0.0).map(|v| (v - center) / sigma),
                signals: Vec::new(),
            }
        })
        .collect();
    let judged: Vec<usize> = (0..out.len()).filter(|i| out[*i].z.is_some()).collect();
    let z = |i: usize| out[judged[i]].z.unwrap_or(0.0);
    let value = |i: usize| out[judged[i]].value.unwrap_or(0.0);
    let mut signals: Vec<(usize, Signal)> = Vec::new();
    for i in 0..judged.len() {
        let side_of = |v: f64| if v > 0.0 { Side::Up } else { Side::Down };
        if z(i).abs() > 3.0 {
            signals.push((
                i,
                Signal {
                    rule: Rule::BeyondThreeSigma,
                    side: side_of(z(i)),
                },
            ));
        }
        for (window, need, beyond, rule) in [
            (3, 2, 2.0, Rule::TwoOfThreeBeyondTwoSigma),
            (5, 4, 1.0, Rule::FourOfFiveBeyondOneSigma),
        ] {
            if i + 1 < window {
                continue;
            }
            for side in [Side::Up, Side::Down] {
                let sign = if side == Side::Up { 1.0 } else { -1.0 };
                let count = (i + 1 - window..=i)
                    .filter(|j| z(*j) * sign > beyond)
                    .count();
                // The run must end on a point that is itself beyond the line.
                if count >= need && z(i) * sign > beyond {
                    signals.push((i, Signal { rule, side }));
                }
            }
        }
        if i >= 7 {
            for side in [Side::Up, Side::Down] {
                let sign = if side == Side::Up { 1.0 } else { -1.0 };
                if (i - 7..=i).all(|j| z(j) * sign > 0.0) {
                    signals.push((
                        i,
                        Signal {
                            rule: Rule::EightOnOneSide,
                            side,
                        },
                    ));
                }
            }
        }
        if i >= 5 {
            let rising = (i - 5..i).all(|j| value(j + 1) > value(j));
            let falling = (i - 5..i).all(|j| value(j + 1) < value(j));
            if rising || falling {
                let side = if rising { Side::Up } else { Side::Down };
                signals.push((
                    i,
                    Signal {
                        rule: Rule::SixTrending,
                        side,
                    },
                ));
            }
        }
    }
    for (i, signal) in signals {
        out[judged[i]].signals.push(signal);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(values: &[(f64, f64)]) -> Vec<Tally> {
        values
            .iter()
            .map(|(n, d)| Tally {
                numerator: *n,
                denominator: *d,
            })
            .collect()
    }

    #[test]
    fn a_p_chart_centres_on_the_pooled_rate_with_limits_by_period_size() {
        // 90 of 100 and 45 of 50: p̄ = 0.9; σ = √(0.9·0.1/100) = 0.03 for the first.
        let chart = control(Chart::P, &rates(&[(90.0, 100.0), (45.0, 50.0)]), 1.0);
        assert!((chart[0].center - 0.9).abs() < 1e-12);
        assert!((chart[0].upper.unwrap() - 0.99).abs() < 1e-9);
        assert!((chart[0].lower.unwrap() - 0.81).abs() < 1e-9);
        assert!(
            chart[1].upper.unwrap() > chart[0].upper.unwrap(),
            "smaller n, wider limits"
        );
    }

    #[test]
    fn a_point_beyond_three_sigma_is_flagged() {
        let mut points = vec![(95.0, 100.0); 10];
        points.push((60.0, 100.0));
        let chart = control(Chart::P, &rates(&points), 1.0);
        let last = chart.last().unwrap();
        assert!(last.signals.contains(&Signal {
            rule: Rule::BeyondThreeSigma,
            side: Side::Down
        }));
        assert!(
            chart[..10]
                .iter()
                .all(|p| p.signals.iter().all(|s| s.rule != Rule::BeyondThreeSigma))
        );
    }

    #[test]
    fn eight_points_on_one_side_and_a_six_point_trend_are_flagged() {
        let mut points: Vec<(f64, f64)> = vec![(90.0, 100.0); 8];
        points.extend(vec![(96.0, 100.0); 8]);
        let chart = control(Chart::P, &rates(&points), 1.0);
        assert!(
            chart[15]
                .signals
                .iter()
                .any(|s| s.rule == Rule::EightOnOneSide && s.side == Side::Up)
        );
        let trend = rates(&[
            (90.0, 100.0),
            (91.0, 100.0),
            (92.0, 100.0),
            (93.0, 100.0),
            (94.0, 100.0),
            (95.0, 100.0),
        ]);
        let chart = control(Chart::P, &trend, 1.0);
        assert!(chart[5].signals.iter().any(|s| s.rule == Rule::SixTrending));
    }

    #[test]
    fn a_u_chart_counts_events_per_record() {
        // "Per 100" numerators (3 exceptions = 300) are scaled back to counts.
        let chart = control(Chart::U, &rates(&[(300.0, 100.0), (500.0, 100.0)]), 100.0);
        assert!((chart[0].center - 0.04).abs() < 1e-12);
        assert!((chart[0].value.unwrap() - 0.03).abs() < 1e-12);
    }

    #[test]
    fn empty_periods_get_no_point_and_break_no_rule() {
        let chart = control(Chart::P, &rates(&[(0.0, 0.0), (9.0, 10.0)]), 1.0);
        assert_eq!(chart[0].value, None);
        assert_eq!(chart[0].z, None);
    }
}
