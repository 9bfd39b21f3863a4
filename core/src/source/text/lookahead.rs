//! The text source's look-ahead: each record is summed once the next one has been
//! parsed.
//!
//! When a record passes [`Engine::check`], its remote's entry in the ranges table
//! starts coming into cache (and, when it is summed, its group's index bucket: see
//! [`crate::aggregate`]'s feed); meanwhile the CPU parses the next line. At tens of
//! thousands of groups and a table larger than the cache, waiting for those lines held
//! everything after them up (BENCHMARKS.md, sessions 5 and 6).
//!
//! Invariants: the records summed, and their order, are exactly those of taking each
//! record at once; [`LookAhead::finish`] sums the one still waiting. Two records
//! alternate as the one parsed into, so parsing allocates nothing.

use crate::engine::Admitted;
use crate::engine::{Engine, Intake};
use crate::format::Format;
use crate::parse::{ParseError, ReusedRecord};

/// Two records, one waiting to be summed while the other is parsed into.
pub(super) struct LookAhead<'f, 't> {
    records: [ReusedRecord<'f, 't>; 2],
    /// Which record the next line is parsed into; the other waits when `waiting` is
    /// set.
    next: usize,
    waiting: Option<Admitted>,
}

impl<'f, 't> LookAhead<'f, 't> {
    /// A look-ahead over lines of `format`, with no record waiting.
    #[inline(always)]
    pub(super) fn new(format: &'f Format) -> Self {
        LookAhead {
            records: [ReusedRecord::new(format), ReusedRecord::new(format)],
            next: 0,
            waiting: None,
        }
    }

    /// The record to parse the next line into.
    #[inline(always)]
    pub(super) fn slot(&mut self) -> &mut ReusedRecord<'f, 't> {
        &mut self.records[self.next & 1]
    }

    /// The record in [`LookAhead::slot`] has been parsed: checks it; when it passes,
    /// sums the one waiting and makes this one wait. Errs with why it is malformed.
    #[inline(always)]
    pub(super) fn parsed(
        &mut self,
        engine: &Engine<'_>,
        intake: &mut Intake<'_>,
    ) -> Result<(), ParseError> {
        let rec = self.records[self.next & 1].record();
        let status = engine.check(rec)?;
        let admitted = engine.admit(rec, status);
        self.next ^= 1;
        if let Some(waiting) = self.waiting.replace(admitted) {
            engine.add_admitted(intake, self.records[self.next & 1].record(), waiting);
        }
        Ok(())
    }

    /// Sums the record still waiting, if any.
    #[inline(always)]
    pub(super) fn finish(self, engine: &Engine<'_>, intake: &mut Intake<'_>) {
        if let Some(waiting) = self.waiting {
            let rec = self.records[(self.next ^ 1) & 1].record();
            engine.add_admitted_last(intake, rec, waiting);
        }
    }
}
