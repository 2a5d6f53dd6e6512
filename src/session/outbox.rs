//! How the driver hands notes to the command without starving the connection.
//!
//! The command reads notes from a channel of `SessionOptions::buffer` places. When it falls
//! behind (a `sub --exec` command that takes a minute, a pipe nobody reads), the driver must not
//! simply wait for a free place: while it waits it does not poll the event loop, so no PINGREQ
//! goes out and the broker drops the connection after 1.5 keepalives, taking a clean session's
//! unacknowledged messages with it. Instead the notes that do not fit wait here, in order, up to
//! `SessionOptions::hold` bytes (`HOLD_BUDGET` for `sub --exec`), and a forwarder task moves
//! them on as places free up; the driver keeps polling meanwhile. Only past the budget does the
//! driver wait, as a reader that does not keep up must be made to (the broker's queue and TCP
//! take it from there).
//!
//! QoS 1/2 messages rarely get near the budget: the receive maximum (MQTT 5) or the broker's
//! in-flight limit (3.1.1) bounds how many arrive unacknowledged. A session without a budget
//! (`hold` 0: `mq sub`, whose reader is stdout, blocks as mosquitto_sub does) waits on the
//! channel directly and costs nothing more.

use super::driver::Note;
use super::types::Event;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// Bytes of notes a command that may fall far behind has held beyond its channel.
pub const HOLD_BUDGET: usize = 4 << 20;

/// What a held note counts against the budget: its size, and at least `MIN_COST`, so that at
/// most `hold / MIN_COST` (1024 for `HOLD_BUDGET`) small notes are held.
const MIN_COST: usize = 4 << 10;

pub(super) struct Outbox {
    tx: mpsc::Sender<Note>,
    /// To the forwarder, started when the channel is first found full.
    held: Option<mpsc::UnboundedSender<(Note, OwnedSemaphorePermit)>>,
    /// Notes given to the forwarder and not yet in the channel. While any are, new notes queue
    /// behind them (order is kept); at zero, every held note is in the channel.
    in_transit: Arc<AtomicUsize>,
    budget: Arc<Semaphore>,
    /// The budget's size in bytes (0: nothing is held).
    hold: usize,
}

impl Outbox {
    pub fn new(tx: mpsc::Sender<Note>, hold: usize) -> Outbox {
        Outbox {
            tx,
            held: None,
            in_transit: Arc::new(AtomicUsize::new(0)),
            budget: Arc::new(Semaphore::new(hold)),
            hold,
        }
    }

    /// Hand `note` to the command, in order. Waits only while the budget is used up; returns
    /// false once the command has gone.
    pub async fn send(&mut self, note: Note) -> bool {
        if self.hold == 0 {
            return self.tx.send(note).await.is_ok();
        }
        let note = if self.in_transit.load(Ordering::Acquire) == 0 {
            match self.tx.try_send(note) {
                Ok(()) => return true,
                Err(TrySendError::Closed(_)) => return false,
                Err(TrySendError::Full(note)) => note,
            }
        } else {
            note
        };
        if self.tx.is_closed() {
            return false;
        }
        let cost = u32::try_from(cost(&note).clamp(MIN_COST.min(self.hold), self.hold))
            .unwrap_or(u32::MAX);
        let Ok(permit) = self.budget.clone().acquire_many_owned(cost).await else {
            return false;
        };
        self.in_transit.fetch_add(1, Ordering::AcqRel);
        let held = self.held.get_or_insert_with(|| {
            let (held, rx) = mpsc::unbounded_channel();
            tokio::spawn(forward(rx, self.tx.clone(), self.in_transit.clone()));
            held
        });
        held.send((note, permit)).is_ok()
    }
}

/// Moves held notes into the channel as the command makes room, oldest first.
async fn forward(
    mut rx: mpsc::UnboundedReceiver<(Note, OwnedSemaphorePermit)>,
    tx: mpsc::Sender<Note>,
    in_transit: Arc<AtomicUsize>,
) {
    while let Some((note, permit)) = rx.recv().await {
        if tx.send(note).await.is_err() {
            return;
        }
        in_transit.fetch_sub(1, Ordering::AcqRel);
        drop(permit);
    }
}

/// Roughly what a note holds in memory.
fn cost(note: &Note) -> usize {
    match note {
        Note::Event(Event::Message(m)) => m.payload.len() + m.topic.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A note that says which it is.
    fn suback(n: usize) -> Note {
        Note::SubAck(vec![Err(n.to_string())])
    }

    fn number(note: Note) -> usize {
        match note {
            Note::SubAck(g) => g[0].clone().unwrap_err().parse().unwrap(),
            _ => panic!("not a SUBACK"),
        }
    }

    #[tokio::test]
    async fn notes_past_the_channel_are_held_in_order_without_waiting() {
        let (tx, mut rx) = mpsc::channel(2);
        let mut outbox = Outbox::new(tx, HOLD_BUDGET);
        // 2 fit in the channel; the rest are held, and `send` returns at once for each.
        for n in 1..=50 {
            let sent =
                tokio::time::timeout(std::time::Duration::from_secs(5), outbox.send(suback(n)));
            assert!(sent.await.expect("send does not wait"));
        }
        for n in 1..=50 {
            assert_eq!(number(rx.recv().await.unwrap()), n);
        }
        // Drained: the next note takes the channel directly, still in order.
        assert!(outbox.send(suback(51)).await);
        assert_eq!(number(rx.recv().await.unwrap()), 51);
    }

    #[tokio::test]
    async fn the_driver_waits_once_the_budget_is_spent() {
        let (tx, mut rx) = mpsc::channel(1);
        let mut outbox = Outbox::new(tx, HOLD_BUDGET);
        let held = HOLD_BUDGET / MIN_COST;
        for n in 0..=held {
            assert!(outbox.send(suback(n)).await);
        }
        // The channel's one place and `held` held notes: the next one waits for room.
        let next = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            outbox.send(suback(1)),
        );
        assert!(next.await.is_err(), "send past the budget must wait");
        rx.recv().await.unwrap();
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), outbox.send(suback(1)));
        assert!(next.await.expect("room again"));
    }

    #[tokio::test]
    async fn without_a_budget_the_driver_waits_on_the_channel() {
        let (tx, mut rx) = mpsc::channel(1);
        let mut outbox = Outbox::new(tx, 0);
        assert!(outbox.send(suback(1)).await);
        let next = tokio::time::timeout(
            std::time::Duration::from_millis(200),
            outbox.send(suback(2)),
        );
        assert!(next.await.is_err(), "a full channel must make it wait");
        assert_eq!(number(rx.recv().await.unwrap()), 1);
    }

    #[tokio::test]
    async fn a_command_gone_is_reported() {
        let (tx, rx) = mpsc::channel(1);
        let mut outbox = Outbox::new(tx, HOLD_BUDGET);
        assert!(outbox.send(suback(1)).await);
        drop(rx);
        assert!(!outbox.send(suback(2)).await);
    }
}
