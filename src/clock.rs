//! The only place that reads the wall clock. Everything that issues, verifies, expires or refreshes
//! takes `now` from a [`Clock`], so tests move time instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, DurationRound, Utc};

/// System time, optionally shifted by an offset that tests control.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The real clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that [`Clock::advance`] can move forward; for tests.
    pub fn adjustable() -> Self {
        Self {
            offset_ms: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    /// Moves an adjustable clock; a no-op on the system clock.
    pub fn advance(&self, by: Duration) {
        if let Some(offset) = &self.offset_ms {
            offset.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
        }
    }

    /// Now, truncated to whole milliseconds: the precision of every date on the wire, so a stored
    /// time and its serialised form never disagree.
    #[expect(
        clippy::disallowed_methods,
        reason = "this is the one sanctioned clock read"
    )]
    pub fn now(&self) -> DateTime<Utc> {
        let offset = self
            .offset_ms
            .as_ref()
            .map_or(0, |offset| offset.load(Ordering::SeqCst));
        let now = Utc::now() + Duration::milliseconds(offset);
        now.duration_trunc(Duration::milliseconds(1)).unwrap_or(now)
    }
}
