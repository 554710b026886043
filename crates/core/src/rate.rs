//! Rate limiting arithmetic: a token bucket kept as a "theoretical arrival time" (GCRA), used to
//! reserve send slots.
//!
//! A bucket of `r` tokens per second is equivalent to remembering one instant, `tat`, the earliest
//! time the next token is free. A request costing `n` tokens gets the slot `max(tat, now)` and
//! moves `tat` to that slot plus `n / r`. Slots are therefore at least `n / r` apart, so no
//! one-second window ever holds more than `r` tokens' worth of sends, and a caller that is given a
//! slot slightly in the future waits for it instead of retrying, so under load the limit is used
//! fully and each send costs one conditional write. A slot further away than `max_wait` is refused
//! with the time to wait, which the API answers as 429 with `Retry-After`.

use serde::{Deserialize, Serialize};

/// A configured limit: `per_second` tokens per second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub per_second: f64,
}

impl Rate {
    pub fn steady(per_second: f64) -> Rate {
        Rate { per_second }
    }

    /// Microseconds `tokens` are worth, rounded up: rounding down would let slots crowd closer
    /// than the rate (at 3/s, four slots 333,333 µs apart fit in one second).
    pub fn interval_micros(&self, tokens: f64) -> i64 {
        (tokens * 1_000_000.0 / self.per_second).ceil() as i64
    }
}

/// The outcome of asking for `cost` tokens at `now` (microseconds since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send at `at` (≥ now); store `new_tat`.
    Reserve { at: i64, new_tat: i64 },
    /// The queue is longer than the caller may wait; try again after this many microseconds.
    Refuse { micros: i64 },
}

pub fn decide(rate: Rate, tat: Option<i64>, now: i64, cost: f64, max_wait: i64) -> Decision {
    let slot = tat.unwrap_or(now).max(now);
    if slot - now <= max_wait {
        Decision::Reserve {
            at: slot,
            new_tat: slot + rate.interval_micros(cost),
        }
    } else {
        Decision::Refuse {
            micros: slot - now - max_wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_idle_bucket_gives_the_slot_now_and_a_busy_one_the_next_free_slot() {
        let r = Rate::steady(20.0);
        assert_eq!(decide(r, None, 0, 1.0, 0), Decision::Reserve { at: 0, new_tat: 50_000 });
        assert_eq!(
            decide(r, Some(50_000), 10_000, 1.0, 1_000_000),
            Decision::Reserve {
                at: 50_000,
                new_tat: 100_000
            }
        );
        assert_eq!(
            decide(r, Some(2_000_000), 0, 1.0, 1_000_000),
            Decision::Refuse { micros: 1_000_000 }
        );
    }

    #[test]
    fn intervals_round_up_so_slots_never_crowd() {
        let r = Rate::steady(3.0);
        assert_eq!(r.interval_micros(1.0), 333_334);
        assert!(3 * r.interval_micros(1.0) >= 1_000_000);
    }

    #[test]
    fn a_multi_part_sms_costs_one_token_per_part() {
        let r = Rate::steady(5.0);
        assert_eq!(
            decide(r, None, 0, 3.0, 0),
            Decision::Reserve {
                at: 0,
                new_tat: 600_000
            }
        );
    }

    proptest! {
        #[test]
        fn reserved_slots_never_put_more_than_the_rate_in_any_one_second(
            per_second in 1u32..100, asks in prop::collection::vec(0i64..3_000_000, 1..400), max_wait in 0i64..2_000_000
        ) {
            let r = Rate::steady(per_second as f64);
            let mut times = asks.clone();
            times.sort();
            let mut tat = None;
            let mut slots = Vec::new();
            for t in times {
                if let Decision::Reserve { at, new_tat } = decide(r, tat, t, 1.0, max_wait) {
                    prop_assert!(at >= t && at - t <= max_wait);
                    tat = Some(new_tat);
                    slots.push(at);
                }
            }
            for (i, start) in slots.iter().enumerate() {
                let in_window = slots[i..].iter().take_while(|s| **s < start + 1_000_000).count();
                prop_assert!(in_window as u32 <= per_second, "{} in a second", in_window);
            }
        }
    }
}
