//! A batch's time series as small line charts drawn on the server: one per column
//! worth plotting (tablet speed, compression forces, fill depth …), thinned to at
//! most `POINTS` points so that a 28,000-reading run draws as quickly as a short one;
//! every reading stays available from the API.

use vplant_domain::batch::events::Series;

/// The most points one chart draws.
const POINTS: usize = 600;
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 90.0;

/// One column drawn.
pub struct Chart {
    pub column: String,
    /// `x,y x,y …` in a 600 × 90 box.
    pub points: String,
    pub min: String,
    pub max: String,
}

/// One source's readings and their charts.
pub struct SeriesView {
    pub source: String,
    pub readings: usize,
    pub from: String,
    pub to: String,
    pub charts: Vec<Chart>,
}

/// The columns drawn, when the series has them, in this order.
const DRAWN: &[&str] = &[
    "tbl_speed",
    "main_comp",
    "pre_comp",
    "tbl_fill",
    "SREL",
    "ejection",
];

pub fn view(source: &str, series: &Series) -> SeriesView {
    let step = series.rows.len().div_ceil(POINTS).max(1);
    let sampled: Vec<&(String, Vec<String>)> = series.rows.iter().step_by(step).collect();
    let charts = DRAWN
        .iter()
        .filter_map(|name| series.columns.iter().position(|c| c == name))
        .filter_map(|i| chart(&series.columns[i], i, &sampled))
        .collect();
    SeriesView {
        source: source.to_owned(),
        readings: series.rows.len(),
        from: series.rows.first().map(|r| r.0.clone()).unwrap_or_default(),
        to: series.rows.last().map(|r| r.0.clone()).unwrap_or_default(),
        charts,
    }
}

fn chart(column: &str, i: usize, rows: &[&(String, Vec<String>)]) -> Option<Chart> {
    let values: Vec<Option<f64>> = rows
        .iter()
        .map(|r| r.1.get(i).and_then(|v| v.parse::<f64>().ok()))
        .collect();
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let min = known.iter().copied().fold(f64::INFINITY, f64::min);
    let max = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if known.is_empty() {
        return None;
    }
    let span = if max > min { max - min } else { 1.0 };
    let n = values.len().max(2) - 1;
    let points = values
        .iter()
        .enumerate()
        .filter_map(|(k, v)| {
            let v = (*v)?;
            let x = WIDTH * k as f64 / n as f64;
            let y = HEIGHT - HEIGHT * (v - min) / span;
            Some(format!("{x:.1},{y:.1}"))
        })
        .collect::<Vec<_>>()
        .join(" ");
    Some(Chart {
        column: column.to_owned(),
        points,
        min: format!("{min}"),
        max: format!("{max}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(n: usize) -> Series {
        Series {
            columns: vec![
                "tbl_speed".into(),
                "main_comp".into(),
                "campaign_note".into(),
            ],
            rows: (0..n)
                .map(|i| {
                    (
                        format!("t{i}"),
                        vec![i.to_string(), "4.2".into(), "x".into()],
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn a_long_run_is_thinned_to_at_most_600_points_and_text_columns_are_not_drawn() {
        let v = view("press", &series(28_000));
        assert_eq!(v.readings, 28_000);
        assert_eq!(v.charts.len(), 2);
        assert!(v.charts[0].points.split(' ').count() <= POINTS);
        assert_eq!((v.charts[0].min.as_str(), v.from.as_str()), ("0", "t0"));
    }

    #[test]
    fn a_flat_line_is_drawn_flat() {
        let v = view("press", &series(3));
        assert_eq!(v.charts[1].points, "0.0,90.0 300.0,90.0 600.0,90.0");
    }
}
