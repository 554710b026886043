//! Rate limiting arithmetic: a token bucket kept as a "theoretical arrival time" (GCRA).
//!
//! A bucket of rate `r` tokens per second and capacity `c` is equivalent to remembering one
//! instant, the time at which the bucket would be full again (`tat`): a request costing `n`
//! tokens is allowed when `tat - now <= (c - n) / r`, and moves `tat` to `max(tat, now) + n / r`.
//! One number per (tenant, channel, sender) means one conditional DynamoDB update per send, which
//! is what makes the limiter atomic under concurrency and cheap.

use serde::{Deserialize, Serialize};

/// A configured limit: `per_second` tokens per second, with a burst of `burst` tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

impl Rate {
    /// No burst: sends are spaced evenly, so no one-second window ever exceeds the rate.
    pub fn steady(per_second: f64) -> Rate {
        Rate { per_second, burst: 1.0 }
    }

    /// Microseconds one token is worth.
    pub fn interval_micros(&self, tokens: f64) -> i64 {
        (tokens * 1_000_000.0 / self.per_second).round() as i64
    }

    /// How far ahead of `now` the arrival time may run for a request of `cost` tokens.
    pub fn tolerance_micros(&self, cost: f64) -> i64 {
        self.interval_micros((self.burst - cost).max(0.0))
    }
}

/// The outcome of asking the bucket for `cost` tokens at `now` (microseconds since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Allowed; the new arrival time to store.
    Allow { new_tat: i64 },
    /// Refused; try again after this many microseconds.
    Wait { micros: i64 },
}

pub fn decide(rate: Rate, tat: Option<i64>, now: i64, cost: f64) -> Decision {
    let tat = tat.unwrap_or(now).max(now);
    let tolerance = rate.tolerance_micros(cost);
    if tat - now <= tolerance {
        Decision::Allow {
            new_tat: tat + rate.interval_micros(cost),
        }
    } else {
        Decision::Wait {
            micros: tat - now - tolerance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_steady_limit_spaces_requests_evenly() {
        let r = Rate::steady(20.0);
        let mut tat = None;
        let mut allowed = 0;
        // Ask every millisecond for one second.
        for ms in 0..1000 {
            if let Decision::Allow { new_tat } = decide(r, tat, ms * 1000, 1.0) {
                tat = Some(new_tat);
                allowed += 1;
            }
        }
        assert_eq!(allowed, 20);
    }

    #[test]
    fn a_refusal_says_how_long_to_wait() {
        let r = Rate::steady(5.0);
        let Decision::Allow { new_tat } = decide(r, None, 0, 1.0) else {
            panic!()
        };
        assert_eq!(decide(r, Some(new_tat), 0, 1.0), Decision::Wait { micros: 200_000 });
        assert!(matches!(decide(r, Some(new_tat), 200_000, 1.0), Decision::Allow { .. }));
    }

    #[test]
    fn a_multi_part_sms_costs_one_token_per_part() {
        let r = Rate {
            per_second: 5.0,
            burst: 5.0,
        };
        let Decision::Allow { new_tat } = decide(r, None, 0, 3.0) else {
            panic!()
        };
        assert_eq!(new_tat, 600_000);
        assert!(matches!(decide(r, Some(new_tat), 0, 3.0), Decision::Wait { .. }));
        assert!(matches!(decide(r, Some(new_tat), 0, 2.0), Decision::Allow { .. }));
    }

    proptest! {
        #[test]
        fn no_one_second_window_ever_exceeds_rate_plus_burst(
            per_second in 1u32..100, burst in 1u32..10, asks in prop::collection::vec(0i64..3_000_000, 1..400)
        ) {
            let r = Rate { per_second: per_second as f64, burst: burst as f64 };
            let mut times = asks.clone();
            times.sort();
            let mut tat = None;
            let mut allowed = Vec::new();
            for t in times {
                if let Decision::Allow { new_tat } = decide(r, tat, t, 1.0) {
                    tat = Some(new_tat);
                    allowed.push(t);
                }
            }
            for (i, start) in allowed.iter().enumerate() {
                let in_window = allowed[i..].iter().take_while(|t| **t < start + 1_000_000).count();
                prop_assert!(in_window as u32 <= per_second + burst, "{} in a second", in_window);
            }
        }
    }
}
