//! A tenant's settings an Admin edits (kept in SystemConfig): the AI automation switch, who gets
//! alerts, and the quiet hours campaigns must not send in.
//!
//! Quiet hours are a span of the day on a wall clock (21:00–08:00, say) in a named time zone, so
//! they follow the business through daylight-saving changes. What the bulk worker needs of them is
//! one answer, [`QuietHours::holds_until`]: is `now` inside them, and if so the first instant
//! they are over. Wall-clock time jumps at a zone's transitions, so that instant is either where
//! the clock reaches the end or a transition that jumps the clock past it (a spring-forward over
//! an end of 02:30), whichever comes first; a fall-back that shows the end twice ends the hours at
//! its first showing. The zone database is bundled with the binary (Lambda's image has none).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::email::Email;

/// The most alert recipients a tenant may name: alerts are for the people who act on them.
pub const MAX_ALERT_RECIPIENTS: usize = 10;

/// A time of day to the minute, `HH:MM` on a 24-hour clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    pub fn new(hour: u8, minute: u8) -> Option<ClockTime> {
        (hour < 24 && minute < 60).then(|| ClockTime(u16::from(hour) * 60 + u16::from(minute)))
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }

    fn hour(self) -> i8 {
        (self.0 / 60) as i8
    }

    fn minute(self) -> i8 {
        (self.0 % 60) as i8
    }
}

impl FromStr for ClockTime {
    type Err = SettingsProblem;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || SettingsProblem::Time(s.to_string());
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        ClockTime::new(h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// A time zone by its IANA name (`Europe/London`), known to the bundled database.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    pub fn parse(name: &str) -> Result<Zone, SettingsProblem> {
        let name = name.trim();
        // The database also answers for names of files that are not zones (`posixrules`) and, on
        // some platforms, for offsets; only the names it lists are offered and accepted.
        let listed = || jiff::tz::db().available().any(|n| n.as_str() == name);
        if name.is_empty() || name.len() > 64 || !listed() {
            return Err(SettingsProblem::Zone(name.to_string()));
        }
        let tz = TimeZone::get(name).map_err(|_| SettingsProblem::Zone(name.to_string()))?;
        Ok(Zone {
            name: name.to_string(),
            tz,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

/// Every time zone name accepted, sorted: what the console offers.
pub fn zone_names() -> impl Iterator<Item = String> {
    let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_string()).collect();
    names.sort();
    names.into_iter()
}

/// The span of each day, on the zone's wall clock, a campaign does not send in. It runs from
/// `start` up to (not including) `end`, across midnight when `end` is earlier than `start`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietHours {
    start: ClockTime,
    end: ClockTime,
    zone: Zone,
}

impl QuietHours {
    /// Refused when start and end are the same: that span is either nothing or the whole day,
    /// and neither is what an Admin means.
    pub fn new(start: ClockTime, end: ClockTime, zone: Zone) -> Result<QuietHours, SettingsProblem> {
        if start == end {
            return Err(SettingsProblem::EmptySpan);
        }
        Ok(QuietHours { start, end, zone })
    }

    pub fn start(&self) -> ClockTime {
        self.start
    }

    pub fn end(&self) -> ClockTime {
        self.end
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// Whether the wall clock at `t` reads a time inside the hours.
    fn quiet_at(&self, t: Timestamp) -> bool {
        let local = t.to_zoned(self.zone.tz.clone()).datetime();
        let m = u16::try_from(i32::from(local.hour()) * 60 + i32::from(local.minute())).unwrap_or(0);
        if self.start < self.end {
            self.start.0 <= m && m < self.end.0
        } else {
            m >= self.start.0 || m < self.end.0
        }
    }

    /// If `now` is inside the quiet hours, the first instant after it that is not; `None` when
    /// sending may go on now.
    pub fn holds_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut from = to_timestamp(now)?;
        if !self.quiet_at(from) {
            return None;
        }
        // A spring-forward can jump the clock over the end and the next start at once (hours of
        // 02:21–02:00 on a day that skips 02:00–02:30): the hours then go on to the next end.
        for _ in 0..3 {
            let until = self.next_end(from)?;
            if !self.quiet_at(until) {
                return from_timestamp(until).filter(|u| *u > now);
            }
            from = until;
        }
        None
    }

    /// From an instant inside the hours, where the clock next leaves them: at their end, or at a
    /// transition that jumps the clock out of them before it.
    fn next_end(&self, ts: Timestamp) -> Option<Timestamp> {
        let local = ts.to_zoned(self.zone.tz.clone()).datetime();
        let mut date = local.date();
        // Past midnight in hours that began the day before, the end is today; otherwise, if the
        // hours cross midnight, it is tomorrow.
        let minute_now = i32::from(local.hour()) * 60 + i32::from(local.minute());
        if self.start > self.end && minute_now >= i32::from(self.start.0) {
            date = date.tomorrow().ok()?;
        }
        let end = date.at(self.end.hour(), self.end.minute(), 0, 0);
        // An end the clock shows twice is its first showing still to come (the second, once the
        // clock has fallen back past the first); an end it skips is just after the skip, and the
        // transition below comes before it.
        let showing = self.zone.tz.to_ambiguous_zoned(end);
        let mut at_end = showing.clone().compatible().ok()?.timestamp();
        if at_end <= ts {
            at_end = showing.later().ok()?.timestamp();
        }
        let jump = self
            .zone
            .tz
            .following(ts)
            .map(|tr| tr.timestamp())
            .take_while(|t| *t < at_end)
            .find(|t| !self.quiet_at(*t));
        Some(jump.unwrap_or(at_end))
    }
}

fn to_timestamp(t: DateTime<Utc>) -> Option<Timestamp> {
    Timestamp::from_millisecond(t.timestamp_millis()).ok()
}

fn from_timestamp(t: Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(t.as_millisecond())
}

/// A tenant's editable settings; [`TenantSettings::default`] is what a tenant that never saved
/// any has.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TenantSettings {
    /// Whether the AI assistant may act without an operator's approval (off: it only drafts).
    pub ai_automation: bool,
    /// Who is sent the tenant's alerts: distinct addresses, at most [`MAX_ALERT_RECIPIENTS`].
    alert_recipients: Vec<Email>,
    pub quiet_hours: Option<QuietHours>,
}

/// The settings as a request states them, before they are checked.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsInput {
    pub ai_automation: bool,
    #[serde(default)]
    pub alert_recipients: Vec<String>,
    #[serde(default)]
    pub quiet_hours: Option<QuietHoursInput>,
}

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuietHoursInput {
    pub start: String,
    pub end: String,
    pub time_zone: String,
}

/// What is wrong with a setting; [`SettingsError`] adds which one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsProblem {
    #[error("{0:?} is not a time of day as HH:MM (00:00 to 23:59)")]
    Time(String),
    #[error("{0:?} is not a time zone name such as Europe/London or Asia/Kolkata")]
    Zone(String),
    #[error("must differ from the start: quiet hours cannot be empty or the whole day")]
    EmptySpan,
    #[error("is not an email address")]
    Email,
    #[error("is named twice")]
    Duplicate,
    #[error("at most {MAX_ALERT_RECIPIENTS} people can receive alerts")]
    TooMany,
}

/// A setting that cannot be saved: the field (as the request names it) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct SettingsError {
    pub field: String,
    pub problem: SettingsProblem,
}

fn at(field: impl Into<String>) -> impl FnOnce(SettingsProblem) -> SettingsError {
    let field = field.into();
    move |problem| SettingsError { field, problem }
}

impl TenantSettings {
    /// Checks a request's settings; the first problem is answered, naming its field under
    /// `prefix` (`config.quietHours.start`).
    pub fn parse(input: &SettingsInput, prefix: &str) -> Result<TenantSettings, SettingsError> {
        if input.alert_recipients.len() > MAX_ALERT_RECIPIENTS {
            return Err(at(format!("{prefix}.alertRecipients"))(SettingsProblem::TooMany));
        }
        let mut alert_recipients: Vec<Email> = Vec::with_capacity(input.alert_recipients.len());
        for (i, raw) in input.alert_recipients.iter().enumerate() {
            let field = format!("{prefix}.alertRecipients[{i}]");
            let email = Email::parse(raw).map_err(|_| at(field.clone())(SettingsProblem::Email))?;
            if alert_recipients.contains(&email) {
                return Err(at(field)(SettingsProblem::Duplicate));
            }
            alert_recipients.push(email);
        }
        let quiet_hours = match &input.quiet_hours {
            None => None,
            Some(q) => {
                let start = q.start.parse().map_err(at(format!("{prefix}.quietHours.start")))?;
                let end = q.end.parse().map_err(at(format!("{prefix}.quietHours.end")))?;
                let zone = Zone::parse(&q.time_zone).map_err(at(format!("{prefix}.quietHours.timeZone")))?;
                Some(QuietHours::new(start, end, zone).map_err(at(format!("{prefix}.quietHours.end")))?)
            }
        };
        Ok(TenantSettings {
            ai_automation: input.ai_automation,
            alert_recipients,
            quiet_hours,
        })
    }

    pub fn alert_recipients(&self) -> &[Email] {
        &self.alert_recipients
    }

    /// The settings as the API and the store state them.
    pub fn to_input(&self) -> SettingsInput {
        SettingsInput {
            ai_automation: self.ai_automation,
            alert_recipients: self.alert_recipients.iter().map(|e| e.as_str().to_string()).collect(),
            quiet_hours: self.quiet_hours.as_ref().map(|q| QuietHoursInput {
                start: q.start.to_string(),
                end: q.end.to_string(),
                time_zone: q.zone.name.clone(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use proptest::prelude::*;

    use super::*;

    fn hours(start: &str, end: &str, zone: &str) -> QuietHours {
        QuietHours::new(start.parse().unwrap(), end.parse().unwrap(), Zone::parse(zone).unwrap()).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn hours_across_midnight_hold_until_the_morning_in_their_zone() {
        // 22:30 in Kolkata (UTC+05:30) is 17:00 UTC; the hours end at 08:00 there, 02:30 UTC.
        let q = hours("21:00", "08:00", "Asia/Kolkata");
        assert_eq!(
            q.holds_until(utc("2026-12-04T17:00:00Z")),
            Some(utc("2026-12-05T02:30:00Z"))
        );
        // 07:59 the next morning, still quiet; 08:00 is not.
        assert_eq!(
            q.holds_until(utc("2026-12-05T02:29:00Z")),
            Some(utc("2026-12-05T02:30:00Z"))
        );
        assert_eq!(q.holds_until(utc("2026-12-05T02:30:00Z")), None);
        assert_eq!(q.holds_until(utc("2026-12-05T10:00:00Z")), None);
    }

    #[test]
    fn hours_within_a_day_hold_only_between_start_and_end() {
        let q = hours("12:00", "14:00", "UTC");
        assert_eq!(q.holds_until(utc("2026-12-04T11:59:59Z")), None);
        assert_eq!(
            q.holds_until(utc("2026-12-04T12:00:00Z")),
            Some(utc("2026-12-04T14:00:00Z"))
        );
        assert_eq!(q.holds_until(utc("2026-12-04T14:00:00Z")), None);
    }

    #[test]
    fn an_end_the_spring_forward_skips_ends_the_hours_at_the_jump() {
        // New York skipped 02:00–03:00 on 2026-03-08 (EST -05 to EDT -04). Hours ending 02:30
        // are over when the clock jumps to 03:00, at 07:00 UTC.
        let q = hours("01:00", "02:30", "America/New_York");
        assert_eq!(
            q.holds_until(utc("2026-03-08T06:30:00Z")),
            Some(utc("2026-03-08T07:00:00Z"))
        );
    }

    #[test]
    fn an_end_the_fall_back_shows_twice_ends_the_hours_at_its_first_showing() {
        // London showed 01:00–02:00 twice on 2026-10-25 (BST +01 then GMT). Hours ending 01:30
        // end at the first 01:30, 00:30 UTC.
        let q = hours("00:00", "01:30", "Europe/London");
        assert_eq!(
            q.holds_until(utc("2026-10-24T23:15:00Z")),
            Some(utc("2026-10-25T00:30:00Z"))
        );
    }

    #[test]
    fn times_and_zones_are_checked_with_the_field_named() {
        let input = |start: &str, end: &str, zone: &str| SettingsInput {
            ai_automation: false,
            alert_recipients: vec![],
            quiet_hours: Some(QuietHoursInput {
                start: start.into(),
                end: end.into(),
                time_zone: zone.into(),
            }),
        };
        let field = |i: SettingsInput| TenantSettings::parse(&i, "config").unwrap_err().field;
        assert_eq!(field(input("24:00", "08:00", "UTC")), "config.quietHours.start");
        assert_eq!(field(input("21:00", "8:00", "UTC")), "config.quietHours.end");
        assert_eq!(
            field(input("21:00", "08:00", "Mars/Olympus")),
            "config.quietHours.timeZone"
        );
        assert_eq!(
            field(input("21:00", "08:00", "posixrules")),
            "config.quietHours.timeZone"
        );
        assert_eq!(field(input("08:00", "08:00", "UTC")), "config.quietHours.end");
        assert!(TenantSettings::parse(&input("21:00", "08:00", "Europe/London"), "config").is_ok());
    }

    #[test]
    fn alert_recipients_are_distinct_addresses_and_few() {
        let with = |emails: &[&str]| SettingsInput {
            alert_recipients: emails.iter().map(|e| e.to_string()).collect(),
            ..Default::default()
        };
        let err = TenantSettings::parse(&with(&["a@x.com", "nope"]), "config").unwrap_err();
        assert_eq!(err.to_string(), "config.alertRecipients[1]: is not an email address");
        let err = TenantSettings::parse(&with(&["a@x.com", "A@x.com"]), "config").unwrap_err();
        assert_eq!(err.field, "config.alertRecipients[1]");
        let eleven: Vec<String> = (0..11).map(|i| format!("p{i}@x.com")).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert_eq!(
            TenantSettings::parse(&with(&eleven), "config").unwrap_err().problem,
            SettingsProblem::TooMany
        );
    }

    #[test]
    fn settings_come_back_as_they_were_stated() {
        let input = SettingsInput {
            ai_automation: true,
            alert_recipients: vec!["ops@wecare.digital".into()],
            quiet_hours: Some(QuietHoursInput {
                start: "21:00".into(),
                end: "08:00".into(),
                time_zone: "Asia/Kolkata".into(),
            }),
        };
        assert_eq!(TenantSettings::parse(&input, "config").unwrap().to_input(), input);
    }

    #[test]
    fn the_offered_zones_include_the_usual_names_and_are_all_accepted() {
        let names: Vec<String> = zone_names().collect();
        assert!(names.len() > 300, "only {} zones", names.len());
        for n in ["UTC", "Asia/Kolkata", "Europe/London", "America/New_York"] {
            assert!(names.iter().any(|x| x == n), "{n} missing");
        }
        assert!(names.iter().all(|n| Zone::parse(n).is_ok()));
    }

    const ZONES: [&str; 7] = [
        "UTC",
        "Asia/Kolkata",
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "America/Santiago",
    ];

    proptest! {
        #[test]
        fn sending_is_held_exactly_while_the_clock_reads_quiet_hours(
            zone in proptest::sample::select(ZONES.to_vec()),
            start in 0u16..1440,
            end in 0u16..1440,
            // 2020 to 2035, to the second.
            secs in 1_577_836_800i64..2_082_758_400i64,
            near_change in any::<bool>(),
            shift in -10_800i64..10_800,
        ) {
            prop_assume!(start != end);
            let q = QuietHours::new(
                ClockTime(start), ClockTime(end), Zone::parse(zone).unwrap(),
            ).unwrap();
            // Half the cases are put within three hours of one of the zone's clock changes, where
            // the wall clock jumps.
            let secs = if near_change {
                let tz = TimeZone::get(zone).unwrap();
                let from = Timestamp::from_second(secs).unwrap();
                match tz.following(from).next() {
                    Some(tr) => tr.timestamp().as_second() + shift,
                    None => secs,
                }
            } else {
                secs
            };
            let now = Utc.timestamp_opt(secs, 0).unwrap();
            let quiet = |t: DateTime<Utc>| q.quiet_at(to_timestamp(t).unwrap());
            match q.holds_until(now) {
                None => prop_assert!(!quiet(now)),
                Some(until) => {
                    prop_assert!(quiet(now));
                    prop_assert!(until > now);
                    prop_assert!(!quiet(until), "still quiet at {until}");
                    // Never longer than two days (one, but for a clock change that skips the end).
                    prop_assert!(until - now <= chrono::Duration::hours(49));
                    // Quiet all the way: the second before the end and points in between.
                    prop_assert!(quiet(until - chrono::Duration::seconds(1)));
                    for k in 1..8 {
                        let t = now + (until - now) * k / 8;
                        prop_assert!(quiet(t), "not quiet at {t}, before {until}");
                    }
                }
            }
        }
    }
}
