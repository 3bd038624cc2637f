//! The index page's picture: incidents per month (or per year, over long spans),
//! stacked by severity, as data for an inline SVG (no script, no external image).

use serde::Serialize;

use crate::incident::Severity;

const WIDTH: u32 = 720;
const PLOT: u32 = 140;
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "unknown"];

#[derive(Debug, Serialize)]
pub(super) struct Chart {
    pub width: u32,
    pub height: u32,
    pub label_y: u32,
    pub unit: &'static str,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
}

#[derive(Debug, Serialize)]
pub(super) struct Bar {
    pub x: u32,
    pub w: u32,
    pub label: String,
    pub total: u32,
    pub parts: Vec<Part>,
}

#[derive(Debug, Serialize)]
pub(super) struct Part {
    pub severity: &'static str,
    pub count: u32,
    pub y: u32,
    pub h: u32,
}

#[derive(Debug, Serialize)]
pub(super) struct Tick {
    pub x: u32,
    pub label: String,
}

/// The chart for incidents given as (ISO date, severity); undated ones are left out.
pub(super) fn chart(points: &[(Option<&str>, Option<Severity>)]) -> Chart {
    let dated: Vec<(i64, i64, &str)> = points
        .iter()
        .filter_map(|(d, s)| {
            let d = (*d)?;
            let y: i64 = d.get(0..4)?.parse().ok()?;
            let m: i64 = d.get(5..7)?.parse().ok()?;
            Some((y, m, s.map_or("unknown", Severity::as_str)))
        })
        .collect();
    let empty = Chart {
        width: WIDTH,
        height: PLOT + 30,
        label_y: PLOT + 24,
        unit: "month",
        bars: Vec::new(),
        ticks: Vec::new(),
    };
    let (Some(first), Some(last)) = (
        dated.iter().map(|d| d.0 * 12 + d.1 - 1).min(),
        dated.iter().map(|d| d.0 * 12 + d.1 - 1).max(),
    ) else {
        return empty;
    };
    let by_year = last - first >= 36;
    let (unit, start, n) = if by_year {
        ("year", first / 12, last / 12 - first / 12 + 1)
    } else {
        ("month", first, last - first + 1)
    };
    let n = n as usize;
    let mut counts = vec![[0u32; 5]; n];
    for (y, m, s) in &dated {
        let b = if by_year {
            y - start
        } else {
            y * 12 + m - 1 - start
        } as usize;
        counts[b][SEVERITIES.iter().position(|x| x == s).unwrap_or(4)] += 1;
    }
    let max = counts
        .iter()
        .map(|c| c.iter().sum::<u32>())
        .max()
        .unwrap_or(1)
        .max(1);
    let step = (WIDTH / n as u32).max(1);
    let w = (step * 4 / 5).clamp(1, 28);
    let label = |i: usize| -> String {
        let v = start + i as i64;
        if by_year {
            format!("{v}")
        } else {
            format!("{}-{:02}", v / 12, v % 12 + 1)
        }
    };
    let bars = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.iter().sum::<u32>() > 0)
        .map(|(i, c)| {
            let mut top = PLOT;
            let parts = SEVERITIES
                .iter()
                .zip(c)
                .filter(|(_, n)| **n > 0)
                .map(|(sev, &count)| {
                    let h = (count * PLOT / max).max(1);
                    top -= h.min(top);
                    Part {
                        severity: sev,
                        count,
                        y: top,
                        h,
                    }
                })
                .collect();
            Bar {
                x: i as u32 * step,
                w,
                label: label(i),
                total: c.iter().sum(),
                parts,
            }
        })
        .collect();
    // About six labels along the axis, first and last included.
    let every = n.div_ceil(6).max(1);
    let ticks = (0..n)
        .filter(|i| i % every == 0 || *i == n - 1)
        .map(|i| Tick {
            x: i as u32 * step,
            label: label(i),
        })
        .collect();
    Chart {
        bars,
        ticks,
        unit,
        ..empty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_stack_by_severity() {
        let c = chart(&[
            (Some("2025-08-15"), Some(Severity::Critical)),
            (Some("2025-08-20"), Some(Severity::Low)),
            (Some("2025-10-16"), Some(Severity::Critical)),
            (None, Some(Severity::High)),
        ]);
        assert_eq!(c.unit, "month");
        assert_eq!(c.bars.len(), 2, "empty months draw nothing");
        assert_eq!(c.bars[0].label, "2025-08");
        assert_eq!(c.bars[0].total, 2);
        let sev: Vec<&str> = c.bars[0].parts.iter().map(|p| p.severity).collect();
        assert_eq!(sev, ["critical", "low"]);
        assert_eq!(c.bars[0].parts[0].h, PLOT / 2);
        assert_eq!(c.ticks.last().unwrap().label, "2025-10");
    }

    #[test]
    fn long_spans_count_years_and_no_dates_mean_no_chart() {
        let c = chart(&[
            (Some("1980-10-27"), None),
            (Some("2025-01-01"), Some(Severity::High)),
        ]);
        assert_eq!(c.unit, "year");
        assert_eq!(c.bars.len(), 2);
        assert!(chart(&[(None, None)]).bars.is_empty());
    }
}
