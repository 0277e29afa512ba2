//! Python `int`s: conversions to and from the core's integers, and int arithmetic through the
//! C API (the abstract "Number Protocol").
//!
//! Every operand is an [`ExactInt`], so these calls never run user code: they cannot release
//! the GIL or re-enter lucas, and they fail only with MemoryError (or for absurd sizes). Their
//! results are exact ints again ([`Int`]).

use crate::capi::error::{ExcType, PyErr, PyResult};
use crate::capi::exact_int::{ExactInt, Int};
use crate::capi::gil::{allow_threads, Interrupted};
use crate::capi::object_calls::{
    binary, bytes_contents, call_method, getattr, interned, new_bytes, new_str, str_to_string, unary, Binary, Unary,
};
use crate::capi::refs::{int_type, Borrowed, Owned};
use crate::capi::typed_ffi as typed;
use lucas_core::bigint::{Big, Integer};
use lucas_core::iterate::state::Number;
use lucas_core::modular::big::BigModulus;
use lucas_core::modular::Modulus;
use lucas_core::terms::exact::Index;
use lucas_core::terms::Term;
use pyo3_ffi as ffi;
use std::cmp::Ordering;
use std::mem::MaybeUninit;
use std::ptr::NonNull;

/// The result of a number-protocol call on exact ints, which is an exact int.
#[inline]
fn exact(result: PyResult<Owned>) -> PyResult<Int> {
    result.map(Int::from_exact)
}

#[inline]
pub fn from_i64(v: i64) -> PyResult<Int> {
    // SAFETY: only allocates (or returns a cached small int): a new reference to an exact
    // int, or NULL with MemoryError.
    exact(unsafe { typed::PyLong_FromLongLong(v) }.ok_or_else(PyErr::fetch))
}

/// A u64 as an int. One digit's worth (small ints included) through `PyLong_FromLongLong`;
/// above that, the two or three digits are written straight into the new int
/// ([`from_word_digits`]), where CPython's constructors count the digits in a loop whose trip
/// count follows the value: random residues of two and three digits (any modulus near 2**61)
/// make that loop's exit unpredictable on every call.
#[inline(always)]
pub fn from_u64(v: u64) -> PyResult<Int> {
    if v >> DIGIT_BITS != 0 && digits_are_30_bits() {
        return from_word_digits(v);
    }
    match i64::try_from(v) {
        Ok(signed) => from_i64(signed),
        Err(_) => from_magnitude(false, &[v]),
    }
}

pub fn add(a: ExactInt, b: ExactInt) -> PyResult<Int> {
    exact(binary(Binary::Add, a.as_borrowed(), b.as_borrowed()))
}

pub fn sub(a: ExactInt, b: ExactInt) -> PyResult<Int> {
    exact(binary(Binary::Subtract, a.as_borrowed(), b.as_borrowed()))
}

pub fn mul(a: ExactInt, b: ExactInt) -> PyResult<Int> {
    // Passing the same object twice lets CPython's long_mul use its faster squaring.
    exact(binary(Binary::Multiply, a.as_borrowed(), b.as_borrowed()))
}

/// `a % m`: for m > 0 the result lies in `range(m)` (Python's floor modulo, unlike C's `%`).
pub fn rem(a: ExactInt, m: ExactInt) -> PyResult<Int> {
    exact(binary(Binary::Remainder, a.as_borrowed(), m.as_borrowed()))
}

pub fn neg(a: ExactInt) -> PyResult<Int> {
    exact(unary(Unary::Negative, a.as_borrowed()))
}

// ANCHOR: index
/// `operator.index(obj)`: the object's `__index__`, as an exact `int`.
///
/// `PyNumber_Index` always returns an exact int (it copies an int subclass's value), so a
/// subclass's overridden `__add__` or `__repr__` never reaches our arithmetic. An exception
/// raised by the object's `__index__` propagates unchanged.
pub fn index(obj: Borrowed) -> PyResult<Int> {
    exact(unary(Unary::Index, obj))
}
// ANCHOR_END: index

/// `a.bit_length()`, the number of bits of |a|.
pub fn bit_length(a: ExactInt) -> PyResult<u64> {
    if let Some(v) = a.to_i64() {
        return Ok(u64::from(64 - v.unsigned_abs().leading_zeros()));
    }
    // Beyond a word: ask the int itself (public API; `_PyLong_NumBits` is private).
    let bits = exact(call_method(a.as_borrowed(), c"bit_length", &[], None))?;
    bits.to_u64().ok_or_else(|| PyErr::new(ExcType::OverflowError, "int too large"))
}

/// The bits of |a| as little-endian 64-bit limbs (a's bit i is limb[i / 64] >> (i % 64)),
/// in one linear pass (`int.to_bytes`, the public, version-independent way).
pub fn abs_to_limbs(a: ExactInt) -> PyResult<Vec<u64>> {
    let nlimbs = usize::try_from(bit_length(a)?.div_ceil(64))
        .map_err(|_| PyErr::new(ExcType::OverflowError, "int too large"))?;
    let abs = if a.sign() == Ordering::Less { neg(a)? } else { a.new_ref() };
    let nbytes = from_u64(nlimbs as u64 * 8)?;
    let little = interned(c"little")?;
    let args = [nbytes.as_owned().borrow(), little.borrow()];
    let bytes = call_method(abs.borrow().as_borrowed(), c"to_bytes", &args, None)?;
    let raw = bytes_contents(&bytes);
    Ok(raw.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
}

/// |a| as little-endian limbs, and whether a is negative: an index n for the ladders.
pub fn signed_limbs(a: ExactInt) -> PyResult<(Vec<u64>, bool)> {
    Ok(match a.to_i64() {
        Some(v) => (vec![v.unsigned_abs()], v < 0),
        None => (abs_to_limbs(a)?, a.sign() == Ordering::Less),
    })
}

/// Runs `f` on `n` as an [`Index`] for the core: |n| as limbs (on the stack when n fits a
/// word) and its sign.
#[inline]
pub fn with_index<R>(n: ExactInt, f: impl FnOnce(&Index) -> R) -> PyResult<R> {
    match n.to_i64() {
        Some(v) => Ok(f(&Index::new(&[v.unsigned_abs()], v < 0))),
        None => {
            let (limbs, negative) = signed_limbs(n)?;
            Ok(f(&Index::new(&limbs, negative)))
        }
    }
}

/// `a % m` as a word, for 1 <= m < 2**64.
pub fn rem_word(a: ExactInt, m: u64) -> PyResult<u64> {
    if let Some(v) = a.to_i64() {
        // On words: an i128 remainder would be a call into the 128-bit division routine.
        let r = v.unsigned_abs() % m;
        return Ok(if v < 0 && r != 0 { m - r } else { r });
    }
    let r = rem(a, from_u64(m)?.borrow())?;
    Ok(r.to_u64().expect("reduced below m < 2**64"))
}

/// An exact int as a [`Big`].
pub fn to_big(a: ExactInt) -> PyResult<Big> {
    match a.to_i64() {
        Some(v) => Ok(Big::from_i64(v)),
        None => Ok(Big::from_limbs(a.sign() == Ordering::Less, &abs_to_limbs(a)?)),
    }
}

/// An exact int as the core's [`Integer`]: a word where it fits.
pub fn to_integer(a: ExactInt) -> PyResult<Integer> {
    match a.to_i64() {
        Some(v) => Ok(Integer::Small(v)),
        None => to_big(a).map(Integer::Big),
    }
}

/// A positive exact int as the core's [`Modulus`]. The constants of a large modulus take
/// divisions of its size, so they are computed like the arithmetic: polled, with the GIL
/// released once the work has proved long.
pub fn to_modulus(m: ExactInt) -> PyResult<Modulus> {
    debug_assert!(m.sign() == Ordering::Greater);
    match m.to_u64() {
        Some(w) => Ok(Modulus::Word(w)),
        None => {
            let limbs = abs_to_limbs(m)?;
            let big = allow_threads(|poll| BigModulus::new_polled(&limbs, poll))?.map_err(Interrupted::into_err)?;
            Ok(Modulus::Big(Box::new(big)))
        }
    }
}

// ANCHOR: term_to_int
/// A value the core computed, as an int: the one place results become Python objects.
#[inline(always)]
pub fn term_to_int(t: Term<'_>) -> PyResult<Int> {
    match t {
        Term::Word(w) => from_u64(w),
        Term::Small(v) => from_i128(v),
        Term::Limbs { negative, limbs } => from_magnitude(negative, limbs),
        Term::Residue(limbs) => from_residue(&limbs),
        Term::Big(b) => from_big(&b),
    }
}
// ANCHOR_END: term_to_int

/// A residue (non-negative limbs, maybe with high zero limbs) as an int.
#[inline]
pub fn from_residue(limbs: &[u64]) -> PyResult<Int> {
    match limbs.iter().rposition(|&l| l != 0) {
        None => from_i64(0),
        Some(0) => from_u64(limbs[0]),
        Some(top) if digits_are_30_bits() => from_digits(&limbs[..=top]),
        Some(top) => from_bytes(&limbs[..=top]),
    }
}

/// A [`Big`] as an int, in one linear pass over its limbs.
pub fn from_big(v: &Big) -> PyResult<Int> {
    match v.to_i64() {
        Some(small) => from_i64(small),
        None => from_magnitude(v.is_negative(), v.limbs()),
    }
}

/// An i128 as an int (two limbs at most, one conversion).
pub fn from_i128(v: i128) -> PyResult<Int> {
    match i64::try_from(v) {
        Ok(small) => from_i64(small),
        Err(_) => {
            let m = v.unsigned_abs();
            from_magnitude(v < 0, &[m as u64, (m >> 64) as u64])
        }
    }
}

/// A u128 as an int (two limbs at most, one conversion).
pub fn from_u128(v: u128) -> PyResult<Int> {
    match u64::try_from(v) {
        Ok(small) => from_u64(small),
        Err(_) => from_magnitude(false, &[v as u64, (v >> 64) as u64]),
    }
}

/// The start of CPython's `PyLongObject` (`Include/cpython/longintrepr.h`): the object
/// header, then on 3.12 and 3.13 the tag holding the sign and the number of digits, then the
/// digits, 30 bits each in a 32-bit `digit`, least significant first. Only the offset of
/// the digits is used; src/capi/layout_check.rs checks it against the headers.
#[cfg(not(Py_3_14))]
#[repr(C)]
pub(crate) struct LongHead {
    #[cfg(not(Py_3_12))]
    ob_base: ffi::PyVarObject,
    #[cfg(Py_3_12)]
    ob_base: ffi::PyObject,
    #[cfg(Py_3_12)]
    lv_tag: usize,
    pub(crate) ob_digit: [u32; 1],
}

/// The bits of one digit of an int, the layout [`from_digits`] writes.
const DIGIT_BITS: u32 = 30;

/// Whether this interpreter's ints have 30-bit digits in 32-bit words: the default of every
/// 64-bit build (`--enable-big-digits=15` changes it). Asked once, from `sys.int_info`
/// (`PyLong_GetInfo`, which runs no Python code), whose two fields are the constants
/// CPython's int layout is made of (`PyLong_SHIFT`, `sizeof(digit)`; on 3.14+
/// `PyLong_GetNativeLayout` reports the same two, digits least significant first in native
/// byte order, as on every version).
fn digits_are_30_bits() -> bool {
    static ANSWER: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ANSWER.get_or_init(|| {
        // SAFETY: builds the struct sequence `sys.int_info`: a new reference, or NULL with an
        // exception.
        let Ok(info) = unsafe { typed::PyLong_GetInfo() }.ok_or_else(PyErr::fetch) else {
            return false; // the error is dropped: the bytes path below answers instead
        };
        let field = |name| getattr(info.borrow(), name).ok().and_then(|v| ExactInt::new(v.borrow())?.to_i64());
        field(c"bits_per_digit") == Some(i64::from(DIGIT_BITS)) && field(c"sizeof_digit") == Some(4)
    })
}

/// The magnitude's 30-bit digits, least significant first, into `out` (exactly as many as
/// the magnitude needs), two at a time: digits 2j and 2j + 1 are the 60 bits at 60·j, read
/// from the two limbs that hold them as one 128-bit window. No branch depends on where a
/// digit falls across limbs, and the loop does half as many steps as there are digits.
#[inline]
fn fill_digits(limbs: &[u64], out: &mut [MaybeUninit<u32>]) {
    const MASK: u64 = (1 << DIGIT_BITS) - 1;
    let limb = |i: usize| u128::from(limbs.get(i).copied().unwrap_or(0));
    let window = |bit: usize| ((limb(bit / 64) | limb(bit / 64 + 1) << 64) >> (bit % 64)) as u64;
    let last_bit = out.len().saturating_sub(1) * DIGIT_BITS as usize;
    let mut pairs = out.chunks_exact_mut(2);
    for (j, pair) in (&mut pairs).enumerate() {
        let w = window(j * 2 * DIGIT_BITS as usize);
        pair[0].write((w & MASK) as u32);
        pair[1].write((w >> DIGIT_BITS & MASK) as u32);
    }
    if let [last] = pairs.into_remainder() {
        last.write((window(last_bit) & MASK) as u32);
    }
}

/// A magnitude above `i64::MAX` (its top limb non-zero) as an int, its digits written
/// straight into the new object: one pass over the limbs, where the bytes path below takes
/// eight steps per limb and a second buffer.
fn from_digits(limbs: &[u64]) -> PyResult<Int> {
    let top = limbs.last().copied().unwrap_or(0);
    debug_assert!(top != 0 && (limbs.len() >= 2 || top > i64::MAX as u64), "smaller values come from the cache");
    let bits = 64 * limbs.len() as u64 - u64::from(top.leading_zeros());
    let ndigits = usize::try_from(bits.div_ceil(u64::from(DIGIT_BITS)))
        .map_err(|_| PyErr::new(ExcType::OverflowError, "int too large"))?;
    let mut int = UnwrittenInt::new(ndigits)?;
    fill_digits(limbs, int.digits());
    int.finish()
}

/// A word of at least two digits (2**30 <= v) as an int of two or three digits, without a
/// branch on the value: the digit count is computed, the top digit is stored at its index,
/// which is digit 1's when there are two (then both stores write the same digit).
#[inline(always)]
fn from_word_digits(v: u64) -> PyResult<Int> {
    const MASK: u64 = (1 << DIGIT_BITS) - 1;
    debug_assert!(v >> DIGIT_BITS != 0);
    let three = usize::from(v >> (2 * DIGIT_BITS) != 0);
    let digit1 = ((v >> DIGIT_BITS) & MASK) as u32;
    let top = if three == 1 { (v >> (2 * DIGIT_BITS)) as u32 } else { digit1 };
    let mut int = UnwrittenInt::new(2 + three)?;
    let digits = int.digits();
    digits[0].write((v & MASK) as u32);
    digits[1].write(digit1);
    digits[1 + three].write(top);
    int.finish()
}

/// A new int whose digits are not written yet: `_PyLong_New` on 3.11 to 3.13, a
/// `PyLongWriter` on 3.14+. Nothing but its deallocation (which reads no digit) may see it
/// until [`finish`](UnwrittenInt::finish), after every digit is written. Dropped unfinished
/// (a panic on the way), the int is freed: on 3.14+ by the `Drop` below.
struct UnwrittenInt {
    #[cfg(not(Py_3_14))]
    int: Owned,
    /// Present until the writer is finished.
    #[cfg(Py_3_14)]
    writer: Option<typed::LongWriter>,
    /// The first of its `len` digits.
    start: NonNull<u32>,
    len: usize,
}

impl UnwrittenInt {
    /// Room for `ndigits` 30-bit digits (`digits_are_30_bits` holds), sign positive.
    #[inline(always)]
    fn new(ndigits: usize) -> PyResult<UnwrittenInt> {
        #[cfg(not(Py_3_14))]
        {
            // SAFETY: allocates an int of `ndigits` digits: a new reference, or NULL with
            // MemoryError.
            let int = unsafe { typed::_PyLong_New(ndigits as ffi::Py_ssize_t) }.ok_or_else(PyErr::fetch)?;
            // The digits' address: the object laid out as `LongHead` (checked against the
            // headers by layout_check.rs). Pointer arithmetic only.
            let start = int.as_ptr().cast::<u8>().wrapping_add(std::mem::offset_of!(LongHead, ob_digit)).cast();
            let start = NonNull::new(start).expect("inside a live object");
            Ok(UnwrittenInt { int, start, len: ndigits })
        }
        #[cfg(Py_3_14)]
        {
            let mut start: *mut std::ffi::c_void = std::ptr::null_mut();
            // SAFETY: asks for a writer of `ndigits` digits (NULL with an exception on
            // failure); `start` receives the address of its digit array.
            let writer = unsafe { typed::PyLongWriter_Create(0, ndigits as ffi::Py_ssize_t, &mut start) }
                .ok_or_else(PyErr::fetch)?;
            let start = NonNull::new(start.cast()).expect("a writer has a digit array");
            Ok(UnwrittenInt { writer: Some(writer), start, len: ndigits })
        }
    }

    /// The digits, to be written in full.
    #[inline(always)]
    fn digits(&mut self) -> &mut [MaybeUninit<u32>] {
        // SAFETY: `start` is the first of the `len` digits of the new int (or its writer's
        // array), 32-bit words in the native layout; only this value can reach them, and it
        // lends them out once at a time.
        unsafe { std::slice::from_raw_parts_mut(self.start.as_ptr().cast(), self.len) }
    }

    /// The finished int, every digit written.
    #[inline(always)]
    fn finish(self) -> PyResult<Int> {
        #[cfg(not(Py_3_14))]
        return Ok(Int::from_exact(self.int));
        #[cfg(Py_3_14)]
        {
            // Not dropped afterwards: the `Drop` below has nothing left to do then, and the
            // fields own nothing else.
            let mut this = std::mem::ManuallyDrop::new(self);
            this.finish_writer().expect("a writer is finished only here or when dropped")
        }
    }

    /// Ends the writer (once; None afterwards), every digit written.
    #[cfg(Py_3_14)]
    #[inline(always)]
    fn finish_writer(&mut self) -> Option<PyResult<Int>> {
        let writer = self.writer.take()?;
        // SAFETY: consumes the writer, every digit written: a new reference to the int
        // (normalised, a cached small int if it is one), or NULL with an exception.
        Some(exact(unsafe { typed::PyLongWriter_Finish(writer) }.ok_or_else(PyErr::fetch)))
    }
}

/// A writer dropped unfinished is ended all the same: finished with every digit zero, which
/// frees it as `PyLongWriter_Discard` would (the writer is invalid after either), and the
/// int that comes back, 0, is dropped. Finishing reuses the one call already made here
/// rather than adding a second unsafe call for `PyLongWriter_Discard`.
#[cfg(Py_3_14)]
impl Drop for UnwrittenInt {
    fn drop(&mut self) {
        if self.writer.is_some() {
            for digit in self.digits() {
                digit.write(0);
            }
            drop(self.finish_writer());
        }
    }
}

// ANCHOR: from_magnitude
/// ±(the number with these little-endian 64-bit limbs) as an int: a word through
/// `PyLong_FromLongLong` (which returns the cached small ints), a larger magnitude with its
/// digits written straight into the new int where this interpreter's digits are the usual 30
/// bits ([`from_digits`]), otherwise by `int.from_bytes`, which regroups the bytes into the
/// interpreter's digits in one pass.
pub fn from_magnitude(negative: bool, limbs: &[u64]) -> PyResult<Int> {
    let len = limbs.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
    let magnitude = match &limbs[..len] {
        [] => from_i64(0)?,
        &[word] if word <= i64::MAX as u64 => from_i64(word as i64)?,
        limbs if digits_are_30_bits() => from_digits(limbs)?,
        limbs => from_bytes(limbs)?,
    };
    if negative {
        neg(magnitude.borrow())
    } else {
        Ok(magnitude)
    }
}
// ANCHOR_END: from_magnitude

/// A magnitude as an int by CPython's conversion from bytes: `int.from_bytes(b, "little")`,
/// the public, version-independent way (the inverse of [`abs_to_limbs`]).
fn from_bytes(limbs: &[u64]) -> PyResult<Int> {
    let bytes: Vec<u8> = limbs.iter().flat_map(|l| l.to_le_bytes()).collect();
    let bytes = new_bytes(&bytes)?;
    let little = interned(c"little")?;
    exact(call_method(int_type(), c"from_bytes", &[bytes.borrow(), little.borrow()], None))
}

/// An int as a Python literal that evaluates back to it: decimal where `str()` allows it,
/// hexadecimal otherwise. `str()` of an int refuses more digits than
/// `sys.get_int_max_str_digits()` allows (CVE-2020-10735) and is quadratic, while hex has no
/// limit; beyond 10000 bits hex is used straight away.
pub fn literal(a: ExactInt) -> PyResult<String> {
    if bit_length(a)? <= 10_000 {
        match str_of(a.as_borrowed()) {
            Err(e) if e.is(ExcType::ValueError) => {} // over the digit limit: hex below
            decimal => return decimal,
        }
    }
    let spec = new_str("#x")?;
    let hex = call_method(a.as_borrowed(), c"__format__", &[spec.borrow()], None)?;
    str_to_string(hex.borrow())
}

/// `str(obj)` as a Rust string.
pub fn str_of(obj: Borrowed) -> PyResult<String> {
    str_to_string(unary(Unary::Str, obj)?.borrow())
}

/// Python ints as the numbers a `LucasIter` continues in past machine words: its promoted
/// state runs on CPython's own int arithmetic.
impl Number for Int {
    type Error = PyErr;
    #[inline]
    fn from_i64(v: i64) -> PyResult<Int> {
        from_i64(v)
    }
    #[inline(always)]
    fn from_u64(v: u64) -> PyResult<Int> {
        from_u64(v)
    }
    fn to_i64(&self) -> Option<i64> {
        Int::to_i64(self)
    }
    fn to_u64(&self) -> Option<u64> {
        Int::to_u64(self)
    }
    fn rem_word(&self, m: u64) -> PyResult<u64> {
        rem_word(self.borrow(), m)
    }
    fn add(&self, other: &Int) -> PyResult<Int> {
        add(self.borrow(), other.borrow())
    }
    fn sub(&self, other: &Int) -> PyResult<Int> {
        sub(self.borrow(), other.borrow())
    }
    fn mul(&self, other: &Int) -> PyResult<Int> {
        mul(self.borrow(), other.borrow())
    }
    fn neg(&self) -> PyResult<Int> {
        neg(self.borrow())
    }
    fn rem(&self, m: &Int) -> PyResult<Int> {
        rem(self.borrow(), m.borrow())
    }
    fn to_limbs(&self) -> PyResult<(Vec<u64>, bool)> {
        signed_limbs(self.borrow())
    }
    #[inline]
    fn from_limbs(limbs: &[u64]) -> PyResult<Int> {
        from_residue(limbs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::testing::with_python;

    #[test]
    fn word_round_trips_and_overflow_detection() {
        with_python(|| {
            for v in [0, 1, -1, i64::MAX, i64::MIN] {
                let o = from_i64(v).unwrap();
                assert_eq!(o.to_i64(), Some(v));
            }
            let big = from_u64(u64::MAX).unwrap();
            assert_eq!(big.to_i64(), None);
            assert_eq!(big.to_u64(), Some(u64::MAX));
            let bigger = add(big.borrow(), from_i64(1).unwrap().borrow()).unwrap();
            assert_eq!(bigger.to_u64(), None);
            assert!(PyErr::take().is_none(), "to_u64 leaves no exception");
            assert_eq!(bit_length(bigger.borrow()).unwrap(), 65);
            assert_eq!(neg(bigger.borrow()).unwrap().sign(), Ordering::Less);
        });
    }

    #[test]
    fn digits_written_directly_equal_the_conversion_from_bytes() {
        with_python(|| {
            assert!(digits_are_30_bits(), "every supported 64-bit build has 30-bit digits");
            let mut s = 0x2545_F491_4F6C_DD1Du64;
            let mut rnd = move || {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s
            };
            for len in (2..40).chain([63, 64, 65, 200, 1000]) {
                // Random limbs, all ones, and a top limb of every bit length at the digit
                // boundaries (bit lengths 30k - 1, 30k, 30k + 1 fall on every residue mod 30).
                for top_bits in [1u32, 2, 29, 30, 31, 60, 63, 64] {
                    let mut limbs: Vec<u64> = (0..len).map(|_| rnd()).collect();
                    limbs[len - 1] = (limbs[len - 1] >> (64 - top_bits)) | (1 << (top_bits - 1));
                    let direct = from_digits(&limbs).unwrap();
                    let via_bytes = from_bytes(&limbs).unwrap();
                    assert_eq!(sub(direct.borrow(), via_bytes.borrow()).unwrap().sign(), Ordering::Equal);
                    assert_eq!(abs_to_limbs(direct.borrow()).unwrap(), limbs, "len={len} top_bits={top_bits}");
                    let bits = 64 * (len as u64 - 1) + u64::from(top_bits);
                    assert_eq!(bit_length(direct.borrow()).unwrap(), bits, "normalised: the top digit is not zero");
                }
                let ones = vec![u64::MAX; len];
                assert_eq!(abs_to_limbs(from_magnitude(false, &ones).unwrap().borrow()).unwrap(), ones);
                let negative = from_magnitude(true, &ones).unwrap();
                assert_eq!(negative.sign(), Ordering::Less);
                assert_eq!(abs_to_limbs(negative.borrow()).unwrap(), ones);
            }
        });
    }

    #[test]
    fn one_word_digits_equal_the_conversion_from_bytes() {
        with_python(|| {
            let mut s = 0x9E37_79B9_7F4A_7C15u64;
            let mut values = vec![1 << 30, (1 << 30) + 1, (1 << 60) - 1, 1 << 60, (1 << 61) - 1, 1 << 63, u64::MAX];
            for bits in 31..=64 {
                for _ in 0..8 {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    values.push((s >> (64 - bits)) | (1 << (bits - 1)));
                }
            }
            for v in values {
                let direct = from_word_digits(v).unwrap();
                let via_bytes = from_bytes(&[v]).unwrap();
                assert_eq!(sub(direct.borrow(), via_bytes.borrow()).unwrap().sign(), Ordering::Equal, "{v:#x}");
                assert_eq!(direct.to_u64(), Some(v));
                // int.bit_length reads the top digit: it is exact only if the size is normalised.
                let bits = exact(call_method(direct.as_owned().borrow(), c"bit_length", &[], None)).unwrap();
                assert_eq!(bits.to_u64(), Some(u64::from(64 - v.leading_zeros())), "{v:#x}");
                assert_eq!(from_u64(v).unwrap().to_u64(), Some(v));
            }
            for v in [0, 1, 256, 257, (1 << 30) - 1] {
                assert_eq!(from_u64(v).unwrap().to_u64(), Some(v), "one digit, through PyLong_FromLongLong");
            }
        });
    }

    #[test]
    fn an_int_dropped_unwritten_is_freed() {
        with_python(|| {
            let sys = crate::capi::object_calls::import(c"sys").unwrap();
            let blocks = || {
                let n = call_method(sys.borrow(), c"getallocatedblocks", &[], None).unwrap();
                ExactInt::new(n.borrow()).and_then(ExactInt::to_i64).expect("an int")
            };
            let before = blocks();
            // Sizes the object allocator serves (which `getallocatedblocks` counts).
            for ndigits in (0..1000).map(|i| 2 + i % 60) {
                // Dropped without `finish`, as a panic while the digits are written would.
                drop(UnwrittenInt::new(ndigits).unwrap());
            }
            let grown = blocks() - before;
            assert!(grown < 100, "{grown} blocks still allocated after 1000 unfinished ints");
        });
    }

    #[test]
    fn limbs_of_a_big_value() {
        with_python(|| {
            // -(2**64 * 5 + 3): limbs of the absolute value.
            let v = neg(from_magnitude(false, &[3, 5]).unwrap().borrow()).unwrap();
            assert_eq!(abs_to_limbs(v.borrow()).unwrap(), vec![3, 5]);
            assert_eq!(str_of(v.as_owned().borrow()).unwrap(), "-92233720368547758083");
            assert_eq!(abs_to_limbs(from_i64(0).unwrap().borrow()).unwrap(), Vec::<u64>::new());
        });
    }

    #[test]
    fn big_round_trips_at_limb_boundaries() {
        with_python(|| {
            for bits in [0u32, 1, 62, 63, 64, 65, 127, 128, 129, 1000, 4096] {
                // ±(2**bits - 1) and ±2**bits.
                let mut limbs = vec![0u64; bits as usize / 64 + 1];
                limbs[bits as usize / 64] = 1 << (bits % 64);
                let pow = from_magnitude(false, &limbs).unwrap();
                let below = sub(pow.borrow(), from_i64(1).unwrap().borrow()).unwrap();
                for v in [pow, below] {
                    for v in [neg(v.borrow()).unwrap(), v] {
                        let back = from_big(&to_big(v.borrow()).unwrap()).unwrap();
                        assert_eq!(str_of(back.as_owned().borrow()).unwrap(), str_of(v.as_owned().borrow()).unwrap());
                    }
                }
            }
        });
    }

    #[test]
    fn rem_is_floor_modulo_and_literal_switches_to_hex() {
        with_python(|| {
            let r = rem(from_i64(-7).unwrap().borrow(), from_i64(5).unwrap().borrow()).unwrap();
            assert_eq!(r.to_i64(), Some(3));
            assert_eq!(literal(from_i64(-255).unwrap().borrow()).unwrap(), "-255");
            let mut limbs = vec![0u64; 200];
            limbs[199] = 0xff;
            let huge = neg(from_magnitude(false, &limbs).unwrap().borrow()).unwrap();
            let hex = literal(huge.borrow()).unwrap();
            assert!(hex.starts_with("-0xff000"), "{}", &hex[..12]);
        });
    }
}
