//! The overview's numbers: messages per channel and status, counted per hour as they are written,
//! and read back as today's hours and the last seven days.
//!
//! The console's home must not read messages to draw its charts: a tenant's week can hold
//! millions. Instead every write that moves a message adds to a counter of its hour and channel,
//! and a page load reads at most [`DAYS`] × 24 hours × 3 channels of them, however many messages
//! there were. What is counted is a **milestone** of a message: accepted by the provider (`sent`),
//! `delivered`, `read`, `failed`, settled `unknown`, recorded in `dryRun` mode, or `received`
//! (inbound). Statuses move a message forward only ([`MessageStatus::may_advance_to`]) and each move
//! is made by exactly one conditional write, so a milestone counted by the move that first crosses
//! it ([`milestones`]) is counted once per message, however often a status is redelivered or a send
//! repeated, and in whatever order statuses arrive (a `read` before its `delivered` counts both).
//!
//! Hours are UTC hours. A reader's day is the [`UtcOffset`] they give: an hour belongs to the local
//! day it starts in, so where the offset is not whole hours (India's +5:30) a day's total takes up
//! to half an hour of the next day's first hour. Rates are over the seven days: delivered of sent,
//! and read of delivered, capped at 1 (a status counted this week may belong to a send of last),
//! for the channels whose statuses reach the platform ([`reports_statuses`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::message::MessageStatus;
use crate::Channel;

/// Days the overview shows, today included.
pub const DAYS: usize = 7;

/// How long an hour's counters are kept from the hour's start: the days shown, a day for the
/// widest time zone, and a day's margin. Older ones expire (the table's TTL).
pub const KEEP: Duration = Duration::days(9);

/// What is counted of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Counted {
    /// Accepted by the provider (settled `sent`, or a status said so after an unknown settle).
    Sent,
    Delivered,
    Read,
    /// Refused by the provider, or failed after it accepted it.
    Failed,
    /// Settled without knowing whether the provider took it.
    Unknown,
    /// Recorded in `DRY_RUN` mode, where no provider is called.
    DryRun,
    /// An inbound message, stored.
    Received,
}

impl Counted {
    pub const ALL: [Counted; 7] = [
        Counted::Sent,
        Counted::Delivered,
        Counted::Read,
        Counted::Failed,
        Counted::Unknown,
        Counted::DryRun,
        Counted::Received,
    ];

    /// Its name in the API and the counter items' attribute names.
    pub fn as_str(self) -> &'static str {
        match self {
            Counted::Sent => "sent",
            Counted::Delivered => "delivered",
            Counted::Read => "read",
            Counted::Failed => "failed",
            Counted::Unknown => "unknown",
            Counted::DryRun => "dryRun",
            Counted::Received => "received",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One count per [`Counted`], of an hour and channel or any sum of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([u64; 7]);

impl Counts {
    pub fn get(&self, c: Counted) -> u64 {
        self.0[c.index()]
    }

    pub fn add(&mut self, c: Counted, n: u64) {
        self.0[c.index()] = self.0[c.index()].saturating_add(n);
    }

    pub fn merge(&mut self, other: &Counts) {
        for c in Counted::ALL {
            self.add(c, other.get(c));
        }
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|n| *n == 0)
    }

    /// The counts that are not zero.
    pub fn nonzero(&self) -> impl Iterator<Item = (Counted, u64)> + '_ {
        Counted::ALL
            .into_iter()
            .map(|c| (c, self.get(c)))
            .filter(|(_, n)| *n > 0)
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(Counted::ALL.len()))?;
        for c in Counted::ALL {
            map.serialize_entry(c.as_str(), &self.get(c))?;
        }
        map.end()
    }
}

fn accepted(s: MessageStatus) -> bool {
    matches!(
        s,
        MessageStatus::Queued | MessageStatus::Sent | MessageStatus::Delivered | MessageStatus::Read
    )
}

fn delivered(s: MessageStatus) -> bool {
    matches!(s, MessageStatus::Delivered | MessageStatus::Read)
}

/// The milestones a message crosses when its status moves from `from` to `to` (a settle moves it
/// from `sending`; a provider's status moves it forward). Empty when nothing new is reached.
pub fn milestones(from: MessageStatus, to: MessageStatus) -> Vec<Counted> {
    let mut crossed = Vec::new();
    if from == to || from == MessageStatus::Failed {
        return crossed;
    }
    if from == MessageStatus::Sending {
        match to {
            MessageStatus::Unknown => crossed.push(Counted::Unknown),
            MessageStatus::DryRun => crossed.push(Counted::DryRun),
            _ => {}
        }
    }
    if accepted(to) && !accepted(from) {
        crossed.push(Counted::Sent);
    }
    if delivered(to) && !delivered(from) {
        crossed.push(Counted::Delivered);
    }
    if to == MessageStatus::Read {
        crossed.push(Counted::Read);
    }
    if to == MessageStatus::Failed {
        crossed.push(Counted::Failed);
    }
    crossed
}

/// A UTC hour: where a count belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hour(DateTime<Utc>);

impl Hour {
    /// The hour `t` falls in.
    pub fn of(t: DateTime<Utc>) -> Hour {
        let start = t.timestamp().div_euclid(3600) * 3600;
        Hour(DateTime::from_timestamp(start, 0).unwrap_or(t))
    }

    pub fn start(self) -> DateTime<Utc> {
        self.0
    }

    pub fn next(self) -> Hour {
        Hour(self.0 + Duration::hours(1))
    }

    /// `2026-12-04T13`: sorts in time order, so a range of hours is a range of keys.
    pub fn key(self) -> String {
        self.0.format("%Y-%m-%dT%H").to_string()
    }

    pub fn parse(key: &str) -> Option<Hour> {
        let at = chrono::NaiveDateTime::parse_from_str(&format!("{key}:00"), "%Y-%m-%dT%H:%M").ok()?;
        Some(Hour(at.and_utc()))
    }

    /// When its counters expire (epoch seconds, for the table's TTL).
    pub fn expires_at(self) -> i64 {
        (self.0 + KEEP).timestamp()
    }
}

/// Counts gathered before they are written: by hour and channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally(BTreeMap<(Hour, Channel), Counts>);

impl Tally {
    pub fn new() -> Tally {
        Tally::default()
    }

    /// Counts each of `what` once, for `channel` at `at`.
    pub fn add(&mut self, at: DateTime<Utc>, channel: Channel, what: &[Counted]) {
        if what.is_empty() {
            return;
        }
        let counts = self.0.entry((Hour::of(at), channel)).or_default();
        for c in what {
            counts.add(*c, 1);
        }
    }

    pub fn add_counts(&mut self, hour: Hour, channel: Channel, counts: &Counts) {
        if !counts.is_zero() {
            self.0.entry((hour, channel)).or_default().merge(counts);
        }
    }

    /// Adds `other`'s counts to these (a write that failed gives its counts back).
    pub fn merge(&mut self, other: Tally) {
        for ((hour, channel), counts) in other.0 {
            self.add_counts(hour, channel, &counts);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(Counts::is_zero)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Hour, Channel, &Counts)> {
        self.0.iter().map(|((h, c), n)| (*h, *c, n))
    }
}

/// A reader's offset from UTC, in minutes (+330 in India): what "today" and each day mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset(i32);

impl UtcOffset {
    pub const UTC: UtcOffset = UtcOffset(0);

    /// An offset the world uses: from UTC−12:00 to UTC+14:00.
    pub fn from_minutes(minutes: i32) -> Option<UtcOffset> {
        (-12 * 60..=14 * 60).contains(&minutes).then_some(UtcOffset(minutes))
    }

    pub fn minutes(self) -> i32 {
        self.0
    }

    fn local_date(self, t: DateTime<Utc>) -> NaiveDate {
        (t + Duration::minutes(self.0.into())).date_naive()
    }

    /// Midnight of the local `day`, in UTC.
    fn midnight(self, day: NaiveDate) -> DateTime<Utc> {
        Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)) - Duration::minutes(self.0.into())
    }
}

/// The hours an overview covers at `now`: those starting on the last [`DAYS`] local days, up to
/// the current hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    offset: UtcOffset,
    /// The local days, oldest first; the last is today.
    days: Vec<NaiveDate>,
    first: Hour,
    last: Hour,
}

/// The first hour that starts at or after `t`.
fn hour_from(t: DateTime<Utc>) -> Hour {
    let h = Hour::of(t);
    if h.start() < t {
        h.next()
    } else {
        h
    }
}

impl Window {
    pub fn new(now: DateTime<Utc>, offset: UtcOffset) -> Window {
        let today = offset.local_date(now);
        let days: Vec<NaiveDate> = (0..DAYS as u64)
            .rev()
            .filter_map(|back| today.checked_sub_days(chrono::Days::new(back)))
            .collect();
        let oldest = days.first().copied().unwrap_or(today);
        Window {
            offset,
            first: hour_from(offset.midnight(oldest)),
            last: Hour::of(now),
            days,
        }
    }

    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// The oldest hour covered.
    pub fn first(&self) -> Hour {
        self.first
    }

    /// The current hour.
    pub fn last(&self) -> Hour {
        self.last
    }

    pub fn days(&self) -> &[NaiveDate] {
        &self.days
    }

    pub fn contains(&self, h: Hour) -> bool {
        self.first <= h && h <= self.last
    }

    /// The index in [`Window::days`] of the day `h` starts in, if it is covered.
    pub fn day_of(&self, h: Hour) -> Option<usize> {
        if !self.contains(h) {
            return None;
        }
        let day = self.offset.local_date(h.start());
        self.days.iter().position(|d| *d == day)
    }

    /// Every hour of today so far, oldest first (empty in the minutes before today's first hour
    /// starts, where the offset is not whole hours).
    pub fn hours_today(&self) -> Vec<Hour> {
        let Some(today) = self.days.last() else {
            return vec![];
        };
        let mut hours = Vec::with_capacity(24);
        let mut h = hour_from(self.offset.midnight(*today));
        while h <= self.last {
            hours.push(h);
            h = h.next();
        }
        hours
    }
}

/// One hour of today: its counts per channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HourPoint {
    #[serde(serialize_with = "iso")]
    pub hour: DateTime<Utc>,
    pub channels: BTreeMap<Channel, Counts>,
}

/// One local day: its counts per channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayPoint {
    pub date: NaiveDate,
    pub channels: BTreeMap<Channel, Counts>,
}

/// Whether the platform receives delivery and read statuses of `channel`'s messages: today only
/// WhatsApp's arrive (through the inbound events). Elsewhere a rate would read 0 % for want of
/// statuses, not of deliveries, so none is given.
pub fn reports_statuses(channel: Channel) -> bool {
    channel == Channel::WhatsApp
}

/// A channel over the days shown: its totals and rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSummary {
    pub channel: Channel,
    pub totals: Counts,
    /// Whether delivery and read statuses of this channel reach the platform ([`reports_statuses`]).
    pub reports_statuses: bool,
    /// Delivered of sent; `None` with nothing sent, or without statuses.
    pub delivery_rate: Option<f64>,
    /// Read of delivered; `None` with nothing delivered, or without statuses.
    pub read_rate: Option<f64>,
}

/// The messages part of an overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub utc_offset_minutes: i32,
    /// Every hour of today so far, oldest first.
    pub today: Vec<HourPoint>,
    /// The last [`DAYS`] days, oldest first.
    pub days: Vec<DayPoint>,
    pub channels: Vec<ChannelSummary>,
}

fn iso<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::time::iso(*t))
}

fn every_channel() -> BTreeMap<Channel, Counts> {
    Channel::ALL.into_iter().map(|c| (c, Counts::default())).collect()
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64).min(1.0))
}

/// Today's hours, the days and each channel's rates from the counters of `rows` (those outside
/// `window` are left out).
pub fn summarise(window: &Window, rows: impl IntoIterator<Item = (Hour, Channel, Counts)>) -> Summary {
    let today = window.hours_today();
    let mut hours: Vec<HourPoint> = today
        .iter()
        .map(|h| HourPoint {
            hour: h.start(),
            channels: every_channel(),
        })
        .collect();
    let mut days: Vec<DayPoint> = window
        .days()
        .iter()
        .map(|d| DayPoint {
            date: *d,
            channels: every_channel(),
        })
        .collect();
    for (hour, channel, counts) in rows {
        let Some(day) = window.day_of(hour) else { continue };
        if let Some(point) = days.get_mut(day) {
            point.channels.entry(channel).or_default().merge(&counts);
        }
        if let Ok(i) = today.binary_search(&hour) {
            if let Some(point) = hours.get_mut(i) {
                point.channels.entry(channel).or_default().merge(&counts);
            }
        }
    }
    let channels = Channel::ALL
        .into_iter()
        .map(|channel| {
            let mut totals = Counts::default();
            for d in &days {
                if let Some(c) = d.channels.get(&channel) {
                    totals.merge(c);
                }
            }
            let statuses = reports_statuses(channel);
            ChannelSummary {
                channel,
                reports_statuses: statuses,
                delivery_rate: rate(totals.get(Counted::Delivered), totals.get(Counted::Sent)).filter(|_| statuses),
                read_rate: rate(totals.get(Counted::Read), totals.get(Counted::Delivered)).filter(|_| statuses),
                totals,
            }
        })
        .collect();
    Summary {
        utc_offset_minutes: window.offset().minutes(),
        today: hours,
        days,
        channels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use MessageStatus::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_settle_counts_what_the_provider_said_and_a_status_what_it_newly_reaches() {
        assert_eq!(milestones(Sending, Sent), vec![Counted::Sent]);
        assert_eq!(milestones(Sending, Failed), vec![Counted::Failed]);
        assert_eq!(milestones(Sending, Unknown), vec![Counted::Unknown]);
        assert_eq!(milestones(Sending, DryRun), vec![Counted::DryRun]);
        assert_eq!(milestones(Sent, Delivered), vec![Counted::Delivered]);
        assert_eq!(milestones(Delivered, Read), vec![Counted::Read]);
        // A read whose delivered status never came (or comes later) was delivered all the same.
        assert_eq!(milestones(Sent, Read), vec![Counted::Delivered, Counted::Read]);
        // A status that overtook the settle counts the send as accepted; the settle then moves
        // nothing and counts nothing.
        assert_eq!(milestones(Sending, Delivered), vec![Counted::Sent, Counted::Delivered]);
        // An unknown send that a status shows was taken is counted sent then.
        assert_eq!(milestones(Unknown, Sent), vec![Counted::Sent]);
        assert_eq!(milestones(Delivered, Failed), vec![Counted::Failed]);
        assert!(milestones(Read, Read).is_empty());
        assert!(milestones(Failed, Read).is_empty());
    }

    #[derive(Debug, Clone)]
    enum Event {
        /// The send's answer (the pipeline's settle): applies only while the message is `sending`.
        Settle(MessageStatus),
        /// A provider status, possibly a redelivery of an earlier one.
        Status(MessageStatus),
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            prop::sample::select(vec![Sent, Failed, Unknown, DryRun]).prop_map(Event::Settle),
            prop::sample::select(vec![Sent, Delivered, Read, Failed]).prop_map(Event::Status),
        ]
    }

    proptest! {
        /// Whatever order the settle, its repeats and the statuses (with redeliveries) arrive in,
        /// each milestone is counted once if the message reached it and never otherwise.
        #[test]
        fn each_milestone_is_counted_once_exactly_when_it_is_reached(events in prop::collection::vec(event(), 0..12)) {
            let mut status = Sending;
            let mut history = vec![Sending];
            let mut counts = Counts::default();
            for e in events {
                let next = match e {
                    // The settle is a conditional write from `sending`: a repeat, or one
                    // overtaken by a status, moves nothing.
                    Event::Settle(to) => (status == Sending).then_some(to),
                    Event::Status(to) => status.may_advance_to(to).then_some(to),
                };
                if let Some(to) = next {
                    for c in milestones(status, to) {
                        counts.add(c, 1);
                    }
                    status = to;
                    history.push(to);
                }
            }
            let reached = |f: fn(&MessageStatus) -> bool| u64::from(history.iter().any(f));
            prop_assert_eq!(counts.get(Counted::Sent), reached(|s| accepted(*s)));
            prop_assert_eq!(counts.get(Counted::Delivered), reached(|s| delivered(*s)));
            prop_assert_eq!(counts.get(Counted::Read), reached(|s| *s == Read));
            prop_assert_eq!(counts.get(Counted::Failed), reached(|s| *s == Failed));
            prop_assert_eq!(counts.get(Counted::Unknown), reached(|s| *s == Unknown));
            prop_assert_eq!(counts.get(Counted::DryRun), reached(|s| *s == DryRun));
            prop_assert_eq!(counts.get(Counted::Received), 0);
        }

        #[test]
        fn hour_keys_sort_in_time_order_and_read_back(a in 0i64..4_000_000_000, b in 0i64..4_000_000_000) {
            let (ha, hb) = (Hour::of(DateTime::from_timestamp(a, 0).unwrap()), Hour::of(DateTime::from_timestamp(b, 0).unwrap()));
            prop_assert_eq!(ha.key().cmp(&hb.key()), ha.cmp(&hb));
            prop_assert_eq!(Hour::parse(&ha.key()), Some(ha));
            prop_assert_eq!(ha.start().timestamp() % 3600, 0);
        }

        /// Every counter in the window is in exactly one day; today's hours add up to today.
        #[test]
        fn the_days_add_up_to_the_hours_they_cover(
            now in 1_700_000_000i64..1_900_000_000,
            offset in -720i32..=840,
            rows in prop::collection::vec((0i64..240, 0usize..3, 0usize..7, 1u64..50), 0..40),
        ) {
            let now = DateTime::from_timestamp(now, 0).unwrap();
            let window = Window::new(now, UtcOffset::from_minutes(offset).unwrap());
            let rows: Vec<(Hour, Channel, Counts)> = rows
                .into_iter()
                .map(|(back, ch, c, n)| {
                    let mut counts = Counts::default();
                    counts.add(Counted::ALL[c], n);
                    (Hour::of(now - Duration::hours(back)), Channel::ALL[ch], counts)
                })
                .collect();
            let summary = summarise(&window, rows.clone());
            prop_assert_eq!(summary.days.len(), DAYS);
            let total = |points: &mut dyn Iterator<Item = &BTreeMap<Channel, Counts>>| {
                let mut t = Counts::default();
                for p in points { for c in p.values() { t.merge(c); } }
                t
            };
            let mut inside = Counts::default();
            for (h, _, c) in &rows { if window.contains(*h) { inside.merge(c); } }
            prop_assert_eq!(total(&mut summary.days.iter().map(|d| &d.channels)), inside);
            let today = total(&mut summary.today.iter().map(|h| &h.channels));
            let last_day = total(&mut summary.days.last().map(|d| &d.channels).into_iter());
            prop_assert_eq!(today, last_day);
            // Hours are whole, consecutive and end now.
            for pair in summary.today.windows(2) {
                prop_assert_eq!(pair[1].hour - pair[0].hour, Duration::hours(1));
            }
            if let Some(last) = summary.today.last() {
                prop_assert_eq!(last.hour, Hour::of(now).start());
            }
            prop_assert!(summary.today.len() <= 24);
        }
    }

    #[test]
    fn a_day_in_india_starts_with_the_first_hour_after_its_midnight() {
        // 10:15 in India on 4 December is 04:45 UTC.
        let window = Window::new(at("2026-12-04T04:45:00Z"), UtcOffset::from_minutes(330).unwrap());
        assert_eq!(
            window.days().last().map(|d| d.to_string()).as_deref(),
            Some("2026-12-04")
        );
        assert_eq!(
            window.days().first().map(|d| d.to_string()).as_deref(),
            Some("2026-11-28")
        );
        let today: Vec<String> = window.hours_today().into_iter().map(Hour::key).collect();
        // Local midnight is 18:30 UTC: the hour from 18:00 (23:30 local) is yesterday's.
        assert_eq!(today.first().map(String::as_str), Some("2026-12-03T19"));
        assert_eq!(today.last().map(String::as_str), Some("2026-12-04T04"));
        assert_eq!(window.first().key(), "2026-11-27T19");
        assert_eq!(window.day_of(Hour::parse("2026-12-03T18").unwrap()), Some(5));
        assert_eq!(window.day_of(Hour::parse("2026-11-27T18").unwrap()), None);
    }

    #[test]
    fn rates_are_delivered_of_sent_and_read_of_delivered_and_absent_with_nothing_to_divide() {
        let now = at("2026-12-04T12:00:00Z");
        let window = Window::new(now, UtcOffset::UTC);
        let mut wa = Counts::default();
        wa.add(Counted::Sent, 4);
        wa.add(Counted::Delivered, 3);
        wa.add(Counted::Read, 1);
        let mut sms = Counts::default();
        sms.add(Counted::Sent, 2);
        let summary = summarise(
            &window,
            [
                (Hour::of(now), Channel::WhatsApp, wa),
                (Hour::of(now - Duration::days(2)), Channel::Sms, sms),
                // Older than the window: left out.
                (Hour::of(now - Duration::days(8)), Channel::Sms, sms),
            ],
        );
        let of = |c: Channel| summary.channels.iter().find(|s| s.channel == c).cloned().unwrap();
        assert_eq!(of(Channel::WhatsApp).delivery_rate, Some(0.75));
        assert_eq!(of(Channel::WhatsApp).read_rate, Some(1.0 / 3.0));
        assert_eq!(of(Channel::Sms).totals.get(Counted::Sent), 2);
        // SMS statuses do not reach the platform: no rate rather than 0 %.
        assert_eq!(
            (of(Channel::Sms).delivery_rate, of(Channel::Sms).read_rate),
            (None, None)
        );
        assert!(!of(Channel::Sms).reports_statuses && of(Channel::WhatsApp).reports_statuses);
        assert_eq!(of(Channel::Email).delivery_rate, None);
        assert_eq!(summary.today.len(), 13);
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["days"][6]["date"], "2026-12-04");
        assert_eq!(json["today"][12]["hour"], "2026-12-04T12:00:00.000Z");
        assert_eq!(json["today"][12]["channels"]["whatsapp"]["delivered"], 3);
        assert_eq!(json["days"][4]["channels"]["sms"]["sent"], 2);
        assert_eq!(json["channels"][0]["channel"], "whatsapp");
    }

    #[test]
    fn offsets_are_those_the_world_uses() {
        assert!(UtcOffset::from_minutes(330).is_some());
        assert!(UtcOffset::from_minutes(-720).is_some() && UtcOffset::from_minutes(840).is_some());
        assert!(UtcOffset::from_minutes(841).is_none() && UtcOffset::from_minutes(-721).is_none());
    }

    #[test]
    fn a_tally_adds_up_by_hour_and_channel_and_takes_back_what_was_not_written() {
        let now = at("2026-12-04T12:34:56Z");
        let mut t = Tally::new();
        t.add(now, Channel::Sms, &[Counted::Sent]);
        t.add(
            now + Duration::minutes(5),
            Channel::Sms,
            &[Counted::Sent, Counted::Delivered],
        );
        t.add(now + Duration::hours(1), Channel::Sms, &[Counted::Failed]);
        t.add(now, Channel::Email, &[]);
        let rows: Vec<(String, Channel, u64, u64)> = t
            .iter()
            .map(|(h, c, n)| (h.key(), c, n.get(Counted::Sent), n.get(Counted::Failed)))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("2026-12-04T12".into(), Channel::Sms, 2, 0),
                ("2026-12-04T13".into(), Channel::Sms, 0, 1)
            ]
        );
        let mut back = Tally::new();
        back.merge(t.clone());
        back.merge(t);
        assert_eq!(back.iter().next().map(|(_, _, n)| n.get(Counted::Sent)), Some(4));
        assert!(Tally::new().is_empty());
        assert_eq!(
            Hour::parse("2026-12-04T12").unwrap().expires_at(),
            at("2026-12-13T12:00:00Z").timestamp()
        );
    }
}
