//! Dates and relative times in the reader's language.

use chrono::{DateTime, Datelike, TimeZone, Timelike};

use super::{Locale, fill};

/// A date and time written the way each language writes it, e.g. `Nov 22, 2026, 14:05`,
/// `2026年11月22日 14:05`, `2026년 11월 22일 14:05`.
pub fn format_datetime<Tz: TimeZone>(locale: Locale, at: &DateTime<Tz>) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day) = (at.year(), at.month(), at.day());
    let (hour, minute) = (at.hour(), at.minute());
    match locale {
        Locale::En => {
            let name = MONTHS[(month as usize).saturating_sub(1) % 12];
            format!("{name} {day}, {year}, {hour:02}:{minute:02}")
        }
        Locale::Ja => format!("{year}年{month}月{day}日 {hour:02}:{minute:02}"),
        Locale::Ko => format!("{year}년 {month}월 {day}일 {hour:02}:{minute:02}"),
    }
}

/// How long ago `then` was, seen from `now`: "3 minutes ago", "3分前", "3분 전".
pub fn relative_time<Tz: TimeZone>(
    locale: Locale,
    now: &DateTime<Tz>,
    then: &DateTime<Tz>,
) -> String {
    let m = locale.messages();
    let seconds = now
        .clone()
        .signed_duration_since(then.clone())
        .num_seconds();
    let count = |template: &str, n: i64| fill(template, &[("n", &n.to_string())]);
    match seconds {
        s if s < -5 => m.time_in_future.to_owned(),
        s if s < 10 => m.time_just_now.to_owned(),
        s if s < 60 => count(m.time_seconds_ago, s),
        s if s < 120 => m.time_minute_ago.to_owned(),
        s if s < 3_600 => count(m.time_minutes_ago, s / 60),
        s if s < 7_200 => m.time_hour_ago.to_owned(),
        s if s < 86_400 => count(m.time_hours_ago, s / 3_600),
        s if s < 172_800 => m.time_day_ago.to_owned(),
        s => count(m.time_days_ago, s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    #[test]
    fn dates_follow_each_language() {
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 9, 5, 0).unwrap();
        assert_eq!(format_datetime(Locale::En, &at), "Nov 2, 2026, 09:05");
        assert_eq!(format_datetime(Locale::Ja, &at), "2026年11月2日 09:05");
        assert_eq!(format_datetime(Locale::Ko, &at), "2026년 11월 2일 09:05");
    }

    #[test]
    fn relative_times_pick_the_right_unit() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let ago = |s: i64| now - Duration::seconds(s);
        assert_eq!(relative_time(Locale::En, &now, &ago(3)), "just now");
        assert_eq!(relative_time(Locale::En, &now, &ago(42)), "42 seconds ago");
        assert_eq!(relative_time(Locale::En, &now, &ago(90)), "1 minute ago");
        assert_eq!(relative_time(Locale::Ja, &now, &ago(600)), "10分前");
        assert_eq!(relative_time(Locale::Ko, &now, &ago(3 * 3_600)), "3시간 전");
        assert_eq!(relative_time(Locale::En, &now, &ago(100_000)), "yesterday");
        assert_eq!(relative_time(Locale::Ja, &now, &ago(5 * 86_400)), "5日前");
        assert_eq!(relative_time(Locale::En, &now, &ago(-60)), "in the future");
    }
}
