//! A KPI's trend drawn as a picture: the figure of each period as a line of points,
//! the target as a dashed line and, for a KPI watched with a control chart (p or
//! u), the centre line, the control limits of each period and the points that
//! break a control rule marked. Everything is laid out here, on the server, in the
//! KPI's own unit (a p-chart's fractions and a u-chart's events per batch are
//! scaled by 100, to percent and per 100 batches), so that the page needs no script
//! and prints as it shows; `templates/kpi/chart.html` only draws what this computes.
//! The picture is summarised in words for screen readers, and every number is also
//! in the table under it.

use vplant_app::kpi::Tile;

use super::{basis, figure, threshold};

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 348.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 122.0;
/// Where the period labels sit.
const LABELS_Y: f64 = 140.0;

/// A point of the trend: where it is, what it says, where it leads.
pub struct Point {
    pub x: String,
    pub y: String,
    /// The period, the figure and what it counts, and any rule broken.
    pub label: String,
    /// The records behind the figure.
    pub href: String,
    /// The point breaks a control-chart rule.
    pub signal: bool,
}

/// A label on an axis.
pub struct Label {
    pub x: String,
    pub y: String,
    pub text: String,
    /// `start`, `middle` or `end`: which end of the text sits at `x`.
    pub anchor: &'static str,
}

/// A chart as `templates/kpi/chart.html` draws it. Coordinates are text with one
/// decimal, ready for the SVG.
pub struct Chart {
    /// Unique on the page, for the ARIA references.
    pub id: String,
    pub width: String,
    pub height: String,
    pub plot: (String, String, String, String),
    /// A summary in words (the SVG's `<title>`).
    pub title: String,
    /// Every period's figure in words (the SVG's `<desc>`).
    pub desc: String,
    /// The figures, as an SVG path (a period without a figure breaks the line).
    pub line: String,
    pub target: String,
    /// Control charts only: the centre line and each period's limits.
    pub center: String,
    pub limits: String,
    pub control: bool,
    pub points: Vec<Point>,
    pub y_labels: Vec<Label>,
    pub x_labels: Vec<Label>,
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

/// The value range to draw: every figure, the target and the control lines, padded;
/// never below zero (no KPI is negative) nor above 100 %.
fn range(values: &[f64], percent: bool) -> (f64, f64) {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.1).max(0.5);
    let mut lo = (lo - pad).max(0.0);
    let mut hi = hi + pad;
    if percent {
        hi = hi.min(100.0);
        lo = lo.min(hi - 1.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    (lo, hi)
}

/// The chart of `tile` over `periods`; `href` gives the drill-down of a period.
pub fn draw(tile: &Tile, periods: &[String], href: impl Fn(&str) -> String) -> Chart {
    let n = periods.len();
    let control = !tile.control.is_empty();
    // The control chart's lines in the tile's unit.
    let scaled = |v: f64| v * 100.0;
    let mut extent: Vec<f64> = tile.values.iter().flatten().copied().collect();
    extent.push(tile.target);
    for p in &tile.control {
        extent.push(scaled(p.center));
        extent.extend(p.upper.map(scaled));
        extent.extend(p.lower.map(scaled));
    }
    let (lo, hi) = range(&extent, tile.unit == "%");
    let y = |v: f64| BOTTOM - (v - lo) / (hi - lo) * (BOTTOM - TOP);
    let step = if n > 1 {
        (RIGHT - LEFT) / (n - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| {
        if n > 1 {
            LEFT + step * i as f64
        } else {
            (LEFT + RIGHT) / 2.0
        }
    };

    let mut line = String::new();
    let mut pen_down = false;
    for (i, v) in tile.values.iter().enumerate() {
        match v {
            Some(v) => {
                let verb = if pen_down { 'L' } else { 'M' };
                line.push_str(&format!("{verb}{} {} ", fmt(x(i)), fmt(y(*v))));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }

    let horizontal = |v: f64| format!("M{} {} H{}", fmt(LEFT), fmt(y(v)), fmt(RIGHT));
    let half = if n > 1 { step / 2.0 } else { 8.0 };
    let mut limits = String::new();
    for (i, p) in tile.control.iter().enumerate() {
        for limit in [p.upper, p.lower].into_iter().flatten() {
            let from = (x(i) - half).max(LEFT);
            let to = (x(i) + half).min(RIGHT);
            limits.push_str(&format!(
                "M{} {} H{} ",
                fmt(from),
                fmt(y(scaled(limit))),
                fmt(to)
            ));
        }
    }
    let center = tile
        .control
        .first()
        .map(|p| horizontal(scaled(p.center)))
        .unwrap_or_default();

    let mut points = Vec::new();
    let mut words = Vec::new();
    let mut signals = 0;
    for (i, period) in periods.iter().enumerate() {
        let value = tile.values.get(i).copied().flatten();
        let what = match value {
            Some(v) => {
                let basis = basis(
                    &tile.unit,
                    tile.numerators.get(i).copied().unwrap_or_default(),
                    tile.denominators.get(i).copied().unwrap_or_default(),
                );
                if basis.is_empty() {
                    format!("{period}: {}", figure(Some(v), &tile.unit))
                } else {
                    format!("{period}: {} ({basis})", figure(Some(v), &tile.unit))
                }
            }
            None => format!("{period}: no value"),
        };
        words.push(what.clone());
        let Some(v) = value else { continue };
        let rules: Vec<&str> = tile
            .control
            .get(i)
            .map(|p| p.signals.iter().map(|s| s.rule.describe()).collect())
            .unwrap_or_default();
        let signal = !rules.is_empty();
        signals += usize::from(signal);
        let label = if signal {
            format!("{what}. Control-chart signal: {}.", rules.join("; "))
        } else {
            format!("{what}.")
        };
        points.push(Point {
            x: fmt(x(i)),
            y: fmt(y(v)),
            label,
            href: href(period),
            signal,
        });
    }

    let first = periods.first().map_or("", String::as_str);
    let last = periods.last().map_or("", String::as_str);
    let mut title = format!(
        "{}, {n} periods from {first} to {last}: latest {}, target {}.",
        tile.label,
        figure(tile.current, &tile.unit),
        threshold(tile.target, &tile.unit)
    );
    if control {
        title.push_str(&format!(
            " Control chart with centre line and 3σ limits; {signals} {} breaking a control rule.",
            if signals == 1 { "point" } else { "points" }
        ));
    }
    let axis = |v: f64| Label {
        x: fmt(LEFT - 6.0),
        y: fmt(y(v) + 4.0),
        anchor: "end",
        text: threshold((v * 10.0).round() / 10.0, &tile.unit)
            .replace(" per 100 batches", "")
            .replace(" days", " d"),
    };
    let period_label = |i: usize, text: &str, anchor| Label {
        x: fmt(x(i)),
        y: fmt(LABELS_Y),
        text: text.to_owned(),
        anchor,
    };
    let x_labels = if n > 1 {
        vec![
            period_label(0, first, "start"),
            period_label(n - 1, last, "end"),
        ]
    } else {
        vec![period_label(0, first, "middle")]
    };
    Chart {
        id: format!("chart-{}", tile.code),
        width: fmt(WIDTH),
        height: fmt(HEIGHT),
        plot: (fmt(LEFT), fmt(TOP), fmt(RIGHT - LEFT), fmt(BOTTOM - TOP)),
        title,
        desc: words.join("; "),
        line: line.trim_end().to_owned(),
        target: horizontal(tile.target),
        center,
        limits: limits.trim_end().to_owned(),
        control,
        points,
        y_labels: vec![axis(hi), axis(lo)],
        x_labels,
    }
}

#[cfg(test)]
mod tests {
    use vplant_domain::kpi::spc::{ControlPoint, Rule, Side, Signal};

    use super::*;

    fn tile(values: Vec<Option<f64>>, control: Vec<ControlPoint>) -> Tile {
        let n = values.len();
        Tile {
            code: "right_first_time".into(),
            label: "Right first time".into(),
            version: 1,
            unit: "%".into(),
            better: "higher".into(),
            target: 95.0,
            amber: 90.0,
            current: values.last().copied().flatten(),
            values,
            numerators: vec![9.0; n],
            denominators: vec![10.0; n],
            rag: None,
            control,
            warnings: Vec::new(),
        }
    }

    fn point(value: Option<f64>, signals: Vec<Signal>) -> ControlPoint {
        ControlPoint {
            value,
            center: 0.9,
            upper: Some(1.0),
            lower: Some(0.7),
            z: value.map(|_| 0.0),
            signals,
        }
    }

    #[test]
    fn a_missing_period_breaks_the_line_and_has_no_point() {
        let periods = ["2026-01", "2026-02", "2026-03"].map(String::from);
        let chart = draw(
            &tile(vec![Some(90.0), None, Some(80.0)], Vec::new()),
            &periods,
            |p| format!("/r?period={p}"),
        );
        assert_eq!(chart.line.matches('M').count(), 2, "{}", chart.line);
        assert!(!chart.line.contains('L'));
        assert_eq!(chart.points.len(), 2);
        assert_eq!(chart.points[1].href, "/r?period=2026-03");
        assert!(chart.desc.contains("2026-02: no value"));
        assert!(
            chart.points[0]
                .label
                .starts_with("2026-01: 90.0 % (9 of 10)")
        );
        assert!(!chart.control && chart.center.is_empty());
    }

    #[test]
    fn a_control_chart_is_drawn_in_the_kpis_unit_with_its_signals_marked() {
        let periods = ["2026-02", "2026-03"].map(String::from);
        let beyond = Signal {
            rule: Rule::BeyondThreeSigma,
            side: Side::Down,
        };
        let chart = draw(
            &tile(
                vec![Some(90.0), Some(60.0)],
                vec![point(Some(0.9), vec![]), point(Some(0.6), vec![beyond])],
            ),
            &periods,
            |p| p.to_owned(),
        );
        assert!(chart.control);
        // The centre line (0.9 as a fraction) sits where the 90 % point does.
        let center_y = chart.center.split(' ').nth(1).unwrap();
        assert_eq!(center_y, chart.points[0].y);
        assert_eq!(chart.limits.matches('M').count(), 4);
        assert!(!chart.points[0].signal && chart.points[1].signal);
        assert!(
            chart.points[1]
                .label
                .contains("beyond the 3σ control limit")
        );
        assert!(chart.title.contains("1 point breaking a control rule"));
        assert!(chart.title.contains("latest 60.0 %"));
    }
}
