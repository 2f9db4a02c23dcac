//! The per-student limit on posted events (S2.11): counted per class and student email,
//! never per address, because a whole classroom shares one NAT address. A token
//! bucket per student refills `per_minute` events a minute; a request is taken whole
//! while its students still have tokens (a backlog flushed after an outage is not
//! refused), and the next waits until the bucket has refilled.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets kept before full (idle) ones are dropped.
const PRUNE_AT: usize = 50_000;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Event allowances per student.
#[derive(Debug)]
pub struct StudentLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<(String, String), Bucket>>,
}

impl StudentLimiter {
    /// `per_minute` events per student; 0 turns the limit off.
    pub fn new(per_minute: u32) -> StudentLimiter {
        StudentLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes `count` events for each `(email, count)` of a class; when a student has
    /// none left, takes nothing and answers the seconds until they have.
    pub fn take(&self, class_id: &str, counts: &[(&str, u32)]) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let rate = f64::from(self.per_minute) / 60.0;
        let full = f64::from(self.per_minute);
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > PRUNE_AT {
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < full);
        }
        let mut wait: f64 = 0.0;
        for (email, _) in counts {
            if let Some(bucket) = buckets.get_mut(&(class_id.to_owned(), (*email).to_owned())) {
                bucket.tokens =
                    (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(full);
                bucket.at = now;
                if bucket.tokens < 1.0 {
                    wait = wait.max((1.0 - bucket.tokens) / rate);
                }
            }
        }
        if wait > 0.0 {
            return Err(wait.ceil() as u64);
        }
        for (email, count) in counts {
            let bucket = buckets
                .entry((class_id.to_owned(), (*email).to_owned()))
                .or_insert(Bucket {
                    tokens: full,
                    at: now,
                });
            bucket.tokens -= f64::from(*count);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_student_has_their_own_allowance() {
        let limiter = StudentLimiter::new(3);
        for _ in 0..3 {
            assert_eq!(limiter.take("c", &[("a@x.org", 1)]), Ok(()));
        }
        let wait = limiter.take("c", &[("a@x.org", 1)]).unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        // Others (and the same email in another class) are not held back.
        assert_eq!(limiter.take("c", &[("b@x.org", 1)]), Ok(()));
        assert_eq!(limiter.take("d", &[("a@x.org", 1)]), Ok(()));
        // A refused request takes nothing from the others in it.
        assert!(
            limiter
                .take("c", &[("b@x.org", 1), ("a@x.org", 1)])
                .is_err()
        );
        assert_eq!(limiter.take("c", &[("b@x.org", 2)]), Ok(()));
    }

    #[test]
    fn a_backlog_is_taken_whole_then_waits() {
        let limiter = StudentLimiter::new(100);
        assert_eq!(limiter.take("c", &[("a@x.org", 500)]), Ok(()));
        assert!(limiter.take("c", &[("a@x.org", 1)]).unwrap_err() > 200);
        assert_eq!(
            StudentLimiter::new(0).take("c", &[("a@x.org", 10_000)]),
            Ok(())
        );
    }
}
