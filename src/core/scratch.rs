//! Per-thread pools of reusable scratch, for front ends that redact many small inputs: a
//! service's log records, a proxy's request bodies. Taking a warm scratch from the calling
//! thread's pool neither allocates nor locks; a new one is built only when the pool has none.
//!
//! A scratch holds what its owner compiled (a stream of a redactor, a JSON scratch of a JSON
//! redactor), so a pooled value is handed back only to the owner it was made for:
//! [`take`] asks the caller which values are its own. A pooled value keeps its owner alive
//! (it holds a clone of it), so an owner's address is never reused while a scratch of it is
//! pooled.

use std::any::Any;
use std::cell::RefCell;

/// How many values one thread keeps, all owners together (a few redactors per thread: a
/// service's writer and layer, nested writers).
const PER_THREAD: usize = 8;

thread_local! {
    static POOL: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// This thread's pooled value of type `T` for which `mine` holds, if there is one.
pub(crate) fn take<T: 'static>(mine: impl Fn(&T) -> bool) -> Option<Box<T>> {
    POOL.try_with(|pool| {
        let mut pool = pool.try_borrow_mut().ok()?;
        let i = pool
            .iter()
            .rposition(|v| v.downcast_ref::<T>().is_some_and(&mine))?;
        pool.swap_remove(i).downcast::<T>().ok()
    })
    .ok()
    .flatten()
}

/// Returns a value to this thread's pool (dropped if the pool is full, or the thread is
/// ending).
pub(crate) fn give_back<T: 'static>(value: Box<T>) {
    let _ = POOL.try_with(|pool| {
        if let Ok(mut pool) = pool.try_borrow_mut() {
            if pool.len() < PER_THREAD {
                pool.push(value);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_go_back_only_to_their_owner() {
        give_back(Box::new((1u8, vec![1u8])));
        give_back(Box::new((2u8, vec![2u8])));
        give_back(Box::new("another type"));
        assert!(take::<(u8, Vec<u8>)>(|v| v.0 == 3).is_none());
        assert_eq!(take::<(u8, Vec<u8>)>(|v| v.0 == 1).unwrap().1, [1]);
        assert!(take::<(u8, Vec<u8>)>(|v| v.0 == 1).is_none(), "taken once");
        assert_eq!(*take::<&str>(|_| true).unwrap(), "another type");
        for _ in 0..2 * PER_THREAD {
            give_back(Box::new(0u32));
        }
        let mut n = 0;
        while take::<u32>(|_| true).is_some() {
            n += 1;
        }
        assert!(n < PER_THREAD, "the pool is bounded");
    }
}
