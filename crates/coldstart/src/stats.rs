//! Order statistics of the samples: the median and the 95th percentile.
//!
//! Percentiles use the nearest-rank method (the smallest sample with at least p % of the samples
//! at or below it), so every figure reported is one that was actually measured; the median of an
//! even count is the mean of the two middle samples, as usual.

use std::time::Duration;

/// Summary of one metric over the runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub p95: f64,
    pub max: f64,
}

pub fn summarize(values: &[f64]) -> Option<Summary> {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    Some(Summary {
        median,
        p95: nearest_rank(&sorted, 95.0),
        max: sorted[n - 1],
    })
}

fn nearest_rank(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p95_of_twenty_samples() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        let s = summarize(&values).expect("summary");
        assert_eq!(s.median, 10.5);
        assert_eq!(s.p95, 19.0);
        assert_eq!(s.max, 20.0);
    }

    #[test]
    fn odd_count_and_order_do_not_matter() {
        let s = summarize(&[5.0, 1.0, 3.0]).expect("summary");
        assert_eq!((s.median, s.p95, s.max), (3.0, 5.0, 5.0));
    }

    #[test]
    fn nothing_to_summarize() {
        assert_eq!(summarize(&[]), None);
        assert_eq!(summarize(&[1.0, f64::NAN]), None);
    }
}
