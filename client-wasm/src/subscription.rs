//! Listener lists whose entries leave when their [`Subscription`] is dropped.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

type Listener<T> = Rc<dyn Fn(&T)>;

/// Callbacks of one kind (state changes, frames), called in subscription order.
pub(crate) struct Listeners<T: ?Sized> {
    next_id: Cell<u64>,
    list: RefCell<Vec<(u64, Listener<T>)>>,
}

impl<T: ?Sized + 'static> Listeners<T> {
    /// An empty list.
    pub(crate) fn new() -> Rc<Self> {
        Rc::new(Self { next_id: Cell::new(0), list: RefCell::new(Vec::new()) })
    }

    /// Adds `f`; it stays until the returned subscription is dropped.
    pub(crate) fn add(self: &Rc<Self>, f: Listener<T>) -> Subscription {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.list.borrow_mut().push((id, f));
        let weak: Weak<Self> = Rc::downgrade(self);
        Subscription {
            unsubscribe: Some(Box::new(move || {
                if let Some(list) = weak.upgrade() {
                    list.list.borrow_mut().retain(|(i, _)| *i != id);
                }
            })),
        }
    }

    /// Calls every listener; a listener may subscribe or unsubscribe meanwhile.
    pub(crate) fn emit(&self, value: &T) {
        let snapshot: Vec<(u64, Listener<T>)> = self.list.borrow().clone();
        for (id, f) in snapshot {
            // Skip listeners removed by an earlier one during this emit.
            if self.list.borrow().iter().any(|(i, _)| *i == id) {
                f(value);
            }
        }
    }
}

/// Keeps a callback registered; dropping it unsubscribes.
#[must_use = "dropping a Subscription unsubscribes at once"]
pub struct Subscription {
    unsubscribe: Option<Box<dyn FnOnce()>>,
}

impl Subscription {
    /// Keeps the callback for the connection's whole life.
    pub fn forget(mut self) {
        self.unsubscribe = None;
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(unsubscribe) = self.unsubscribe.take() {
            unsubscribe();
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Subscription")
    }
}
