//! The sliding window of a recurrence: a mirrored ring buffer (pure Rust, no FFI).
//!
//! An order-k recurrence needs the last k values, oldest first, to compute the next one.
//! Shifting a `Vec` costs O(k) per step; a plain ring buffer needs a `% k` per access and
//! hands out its window in two pieces. This one stores the k values twice, at `i` and
//! `i + k`, so the window `buf[head..head + k]` is always one contiguous slice (a dot product
//! the compiler can unroll) and a step writes two slots and bumps `head`: O(1), no allocation.

#![forbid(unsafe_code)]

/// The k most recent values of a recurrence, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window<T> {
    /// Invariant: `buf.len() == 2 * k` and `buf[i] == buf[i + k]` for every `i < k`.
    buf: Box<[T]>,
    /// Index of the oldest value; always `< k`.
    head: usize,
}

impl<T: Clone> Window<T> {
    /// A window holding `values` (oldest first). `values` must not be empty.
    pub fn new(values: Vec<T>) -> Window<T> {
        assert!(!values.is_empty(), "a recurrence has order >= 1");
        let mut buf = values.clone();
        buf.extend(values);
        Window { buf: buf.into_boxed_slice(), head: 0 }
    }

    /// The order k (number of values held).
    #[inline]
    pub fn order(&self) -> usize {
        self.buf.len() / 2
    }

    /// The window x_n, ..., x_{n+k-1}, oldest first.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        &self.buf[self.head..self.head + self.order()]
    }

    /// Appends x_{n+k} and returns x_n, which leaves the window.
    #[inline]
    pub fn push(&mut self, newest: T) -> T {
        let k = self.order();
        let h = self.head;
        self.buf[h + k] = newest.clone();
        let oldest = std::mem::replace(&mut self.buf[h], newest);
        self.head = if h + 1 == k { 0 } else { h + 1 };
        oldest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_slides_and_stays_contiguous() {
        let mut r = Window::new(vec![1, 2, 3]);
        assert_eq!(r.as_slice(), &[1, 2, 3]);
        let mut out = vec![];
        for v in 4..=10 {
            out.push(r.push(v));
            assert_eq!(r.as_slice(), &[v - 2, v - 1, v]);
        }
        assert_eq!(out, vec![1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn order_one() {
        let mut r = Window::new(vec![9]);
        assert_eq!(r.push(8), 9);
        assert_eq!(r.push(7), 8);
        assert_eq!(r.as_slice(), &[7]);
    }
}
