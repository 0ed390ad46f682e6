//! Which offsets may be committed: at-least-once bookkeeping per input partition.
//!
//! Records of one partition are consumed in offset order, but their redacted copies are
//! acknowledged in any order (they go to the output partitions their keys choose). An offset
//! may be committed only when every record of the partition before it has been acknowledged,
//! so the committable offset of a partition is one past the end of its acknowledged prefix.
//! A record that is never acknowledged (its write failed, or the connector stopped first)
//! holds its partition's commits back for good: it is consumed again after a restart or a
//! rebalance, never skipped.

use std::collections::{BTreeMap, VecDeque};

/// The bookkeeping of the partitions this instance is assigned.
#[derive(Debug, Default)]
pub(crate) struct Offsets {
    partitions: BTreeMap<i32, Partition>,
}

#[derive(Debug, Default)]
struct Partition {
    /// Consumed records not yet in the acknowledged prefix: offset, and whether acknowledged.
    pending: VecDeque<(i64, bool)>,
    /// One past the acknowledged prefix: what may be committed.
    done: Option<i64>,
    /// What was last committed.
    committed: Option<i64>,
}

impl Offsets {
    /// Starts tracking `partition` afresh (it was just assigned).
    pub(crate) fn assign(&mut self, partition: i32) {
        self.partitions.insert(partition, Partition::default());
    }

    /// Stops tracking `partition` (it was given up).
    pub(crate) fn revoke(&mut self, partition: i32) {
        self.partitions.remove(&partition);
    }

    /// Records that `offset` of `partition` was consumed and is in flight.
    pub(crate) fn consumed(&mut self, partition: i32, offset: i64) {
        self.partitions
            .entry(partition)
            .or_default()
            .pending
            .push_back((offset, false));
    }

    /// Records that the redacted copy of `offset` was acknowledged (or that the record was
    /// dropped by the policy). An offset that is not in flight (its partition was given up
    /// in the meantime) is ignored.
    pub(crate) fn acknowledged(&mut self, partition: i32, offset: i64) {
        let Some(p) = self.partitions.get_mut(&partition) else {
            return;
        };
        // Offsets are consumed in increasing order, so the queue is sorted.
        if let Ok(i) = p.pending.binary_search_by_key(&offset, |&(o, _)| o) {
            p.pending[i].1 = true;
        }
        while let Some(&(o, true)) = p.pending.front() {
            p.done = Some(o + 1);
            p.pending.pop_front();
        }
    }

    /// The partitions (of `only`, or all) whose committable offset moved since the last
    /// commit, with that offset.
    pub(crate) fn to_commit(&self, only: Option<&[i32]>) -> Vec<(i32, i64)> {
        self.partitions
            .iter()
            .filter(|(p, _)| only.map_or(true, |o| o.contains(p)))
            .filter_map(|(&p, s)| match (s.done, s.committed) {
                (Some(d), Some(c)) if d <= c => None,
                (Some(d), _) => Some((p, d)),
                (None, _) => None,
            })
            .collect()
    }

    /// Records a successful commit.
    pub(crate) fn committed(&mut self, partition: i32, offset: i64) {
        if let Some(p) = self.partitions.get_mut(&partition) {
            p.committed = Some(p.committed.map_or(offset, |c| c.max(offset)));
        }
    }

    /// Records consumed but not acknowledged, in all partitions.
    pub(crate) fn in_flight(&self) -> usize {
        self.partitions
            .values()
            .map(|p| p.pending.iter().filter(|(_, acked)| !acked).count())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_only_the_acknowledged_prefix() {
        let mut o = Offsets::default();
        o.assign(0);
        o.assign(1);
        for off in [10, 11, 12, 15] {
            o.consumed(0, off);
        }
        o.consumed(1, 0);
        assert_eq!(o.to_commit(None), vec![]);
        o.acknowledged(0, 11);
        o.acknowledged(0, 15);
        assert_eq!(o.to_commit(None), vec![], "10 is not acknowledged yet");
        o.acknowledged(0, 10);
        assert_eq!(o.to_commit(None), vec![(0, 12)]);
        assert_eq!(o.in_flight(), 2);
        o.committed(0, 12);
        assert_eq!(o.to_commit(None), vec![]);
        o.acknowledged(0, 12);
        o.acknowledged(1, 0);
        assert_eq!(o.to_commit(None), vec![(0, 16), (1, 1)]);
        assert_eq!(o.to_commit(Some(&[1])), vec![(1, 1)]);
        assert_eq!(o.in_flight(), 0);
    }

    #[test]
    fn an_unacknowledged_record_holds_commits_back() {
        let mut o = Offsets::default();
        o.assign(3);
        for off in 0..100 {
            o.consumed(3, off);
        }
        for off in (0..100).filter(|&off| off != 40) {
            o.acknowledged(3, off);
        }
        assert_eq!(o.to_commit(None), vec![(3, 40)]);
        assert_eq!(o.in_flight(), 1);
    }

    #[test]
    fn revoked_partitions_are_forgotten() {
        let mut o = Offsets::default();
        o.assign(0);
        o.consumed(0, 5);
        o.revoke(0);
        o.acknowledged(0, 5);
        assert_eq!(o.to_commit(None), vec![]);
        assert_eq!(o.in_flight(), 0);
    }
}
