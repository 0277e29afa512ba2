//! Python `int`s: conversions to and from the core's integers, and int arithmetic through the
//! C API (the abstract "Number Protocol").
//!
//! Every operand is an [`ExactInt`], so these calls never run user code: they cannot release
//! the GIL or re-enter lucas, and they fail only with MemoryError (or for absurd sizes). Their
//! results are exact ints again ([`Int`]).

use crate::capi::error::{ExcType, PyErr, PyResult};
use crate::capi::exact_int::{ExactInt, Int};
use crate::capi::object_calls::{
    binary, bytes_contents, call_method, interned, new_str, str_to_string, unary, Binary, Unary,
};
use crate::capi::refs::{Borrowed, Owned};
use lucas_core::bigint::{Big, Integer};
use lucas_core::iterate::state::Number;
use lucas_core::modular::big::BigModulus;
use lucas_core::modular::Modulus;
use lucas_core::terms::exact::Index;
use lucas_core::terms::Term;
use pyo3_ffi as ffi;
use std::cmp::Ordering;

/// The result of a number-protocol call on exact ints, which is an exact int.
#[inline]
fn exact(result: PyResult<Owned>) -> PyResult<Int> {
    result.map(Int::from_exact)
}

#[inline]
pub fn from_i64(v: i64) -> PyResult<Int> {
    // SAFETY: only allocates (or returns a cached small int).
    let raw = unsafe { ffi::PyLong_FromLongLong(v) };
    // SAFETY: a new reference to an exact int, or NULL with MemoryError.
    exact(unsafe { Owned::from_owned_ptr_or_err(raw) })
}

/// A u64 as an int: below 2**63 through `PyLong_FromLongLong`, which CPython 3.11 runs faster
/// than its unsigned sibling.
#[inline]
pub fn from_u64(v: u64) -> PyResult<Int> {
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
        return Ok(i128::from(v).rem_euclid(i128::from(m)) as u64);
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

/// A positive exact int as the core's [`Modulus`].
pub fn to_modulus(m: ExactInt) -> PyResult<Modulus> {
    debug_assert!(m.sign() == Ordering::Greater);
    match m.to_u64() {
        Some(w) => Ok(Modulus::Word(w)),
        None => Ok(Modulus::Big(Box::new(BigModulus::new(&abs_to_limbs(m)?)))),
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

#[cfg(not(Py_3_14))]
extern "C" {
    /// A new int of `size` digits whose digits are not yet written: the allocator of
    /// CPython's own int arithmetic (`Include/cpython/longintrepr.h`, exported in 3.11 to
    /// 3.13; 3.14 has the public `PyLongWriter` instead). It sets the size (and sign,
    /// positive); the caller writes every digit before the int is used.
    fn _PyLong_New(size: ffi::Py_ssize_t) -> *mut ffi::PyObject;
}

/// The bits of one digit of an int, the layout [`from_digits`] writes.
const DIGIT_BITS: u32 = 30;

/// Whether this interpreter's ints have 30-bit digits in 32-bit words, least significant
/// first: the default of every 64-bit build (`--enable-big-digits=15` changes it). Asked
/// once (`PyLong_GetNativeLayout` on 3.14+, `sys.int_info` before).
fn digits_are_30_bits() -> bool {
    static ANSWER: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ANSWER.get_or_init(|| {
        #[cfg(Py_3_14)]
        {
            // SAFETY: returns a pointer to a static struct describing the interpreter's ints.
            let pointer = unsafe { ffi::PyLong_GetNativeLayout() };
            // SAFETY: the struct is static, never written, and lives as long as the process.
            let layout = unsafe { &*pointer };
            let native_endian = if cfg!(target_endian = "little") { -1 } else { 1 };
            layout.bits_per_digit as u32 == DIGIT_BITS
                && layout.digit_size == 4
                && layout.digits_order == -1
                && layout.digit_endianness == native_endian
        }
        #[cfg(not(Py_3_14))]
        {
            // SAFETY: returns a new reference to `sys.int_info`, or NULL with an exception.
            let raw = unsafe { ffi::PyLong_GetInfo() };
            // SAFETY: a new reference or NULL.
            let Ok(info) = (unsafe { Owned::from_owned_ptr_or_err(raw) }) else {
                return false; // the error is dropped: the bytes path below answers instead
            };
            let field = |i| {
                // SAFETY: `sys.int_info` is a struct sequence of four fields; a borrowed item.
                let item = unsafe { ffi::PyStructSequence_GetItem(info.as_ptr(), i) };
                // SAFETY: a live int (bits_per_digit, sizeof_digit), borrowed from `info`.
                unsafe { ffi::PyLong_AsLong(item) }
            };
            field(0) == DIGIT_BITS as std::os::raw::c_long && field(1) == 4
        }
    })
}

/// The magnitude's 30-bit digits, least significant first, into `out` (exactly as many as
/// the magnitude needs): the bits not yet written wait in `acc`, and a limb is loaded
/// whenever fewer than 30 remain.
#[inline]
fn fill_digits(limbs: &[u64], out: &mut [u32]) {
    const MASK: u64 = (1 << DIGIT_BITS) - 1;
    let mut next = limbs.iter().copied();
    let (mut acc, mut held) = (0u64, 0u32);
    for digit in out.iter_mut() {
        if held >= DIGIT_BITS {
            *digit = (acc & MASK) as u32;
            acc >>= DIGIT_BITS;
            held -= DIGIT_BITS;
        } else {
            // The digit's low `held` bits are in acc, the rest at the bottom of the limb.
            let limb = next.next().unwrap_or(0);
            *digit = ((acc | limb << held) & MASK) as u32;
            acc = limb >> (DIGIT_BITS - held);
            held += 64 - DIGIT_BITS;
        }
    }
}

/// A magnitude of two limbs or more (its top limb non-zero) as an int, its digits written
/// straight into the new object: one pass over the limbs, where the bytes path below takes
/// eight steps per limb and a second buffer on 3.13+.
fn from_digits(limbs: &[u64]) -> PyResult<Int> {
    let top = limbs.last().copied().unwrap_or(0);
    debug_assert!(limbs.len() >= 2 && top != 0);
    let bits = 64 * limbs.len() as u64 - u64::from(top.leading_zeros());
    let ndigits = usize::try_from(bits.div_ceil(u64::from(DIGIT_BITS)))
        .map_err(|_| PyErr::new(ExcType::OverflowError, "int too large"))?;
    #[cfg(not(Py_3_14))]
    {
        // SAFETY: allocates an int of `ndigits` digits, or returns NULL with MemoryError.
        let raw = unsafe { _PyLong_New(ndigits as ffi::Py_ssize_t) };
        // SAFETY: a new reference or NULL. Until every digit is written below, nothing but
        // its deallocation (which reads no digit) may see it.
        let obj = unsafe { Owned::from_owned_ptr_or_err(raw) }?;
        let start = obj.as_ptr().cast::<u8>().wrapping_add(std::mem::offset_of!(LongHead, ob_digit)).cast::<u32>();
        // SAFETY: `obj` is an int of `ndigits` digits, laid out as `LongHead` (checked against
        // the headers): its digits start at `start`, and no other reference to it exists.
        let digits = unsafe { std::slice::from_raw_parts_mut(start, ndigits) };
        fill_digits(limbs, digits);
        Ok(Int::from_exact(obj))
    }
    #[cfg(Py_3_14)]
    {
        let mut start: *mut std::ffi::c_void = std::ptr::null_mut();
        // SAFETY: asks for a writer of `ndigits` digits; `start` receives its digit array.
        let writer = unsafe { ffi::PyLongWriter_Create(0, ndigits as ffi::Py_ssize_t, &mut start) };
        if writer.is_null() {
            return Err(PyErr::fetch());
        }
        // SAFETY: the writer's digit array holds `ndigits` digits of the native layout
        // (`digits_are_30_bits`), owned by the writer until it is finished.
        let digits = unsafe { std::slice::from_raw_parts_mut(start.cast::<u32>(), ndigits) };
        fill_digits(limbs, digits);
        // SAFETY: consumes the writer: a new reference to the int, or NULL with an exception.
        let raw = unsafe { ffi::PyLongWriter_Finish(writer) };
        // SAFETY: a new reference or NULL.
        exact(unsafe { Owned::from_owned_ptr_or_err(raw) })
    }
}

// ANCHOR: from_magnitude
/// ±(the number with these little-endian 64-bit limbs) as an int: the digits written
/// straight into the new int where this interpreter's digits are the usual 30 bits
/// ([`from_digits`]); otherwise CPython regroups the bytes into its digits in one pass, with
/// `PyLong_FromNativeBytes` where the interpreter has it (3.13+), else
/// `_PyLong_FromByteArray`, the function `int.from_bytes` itself calls.
pub fn from_magnitude(negative: bool, limbs: &[u64]) -> PyResult<Int> {
    let len = limbs.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
    let magnitude = if len >= 2 && digits_are_30_bits() { from_digits(&limbs[..len])? } else { from_bytes(limbs)? };
    if negative {
        neg(magnitude.borrow())
    } else {
        Ok(magnitude)
    }
}
// ANCHOR_END: from_magnitude

/// A magnitude as an int by CPython's conversion from bytes.
fn from_bytes(limbs: &[u64]) -> PyResult<Int> {
    #[cfg(target_endian = "little")]
    // SAFETY: u64 has no padding, so the limbs are `8 * len` initialised bytes, and on a
    // little-endian target their order is the little-endian order of the whole magnitude.
    let bytes = unsafe { std::slice::from_raw_parts(limbs.as_ptr().cast::<u8>(), limbs.len() * 8) };
    #[cfg(target_endian = "big")]
    let bytes: &[u8] = &limbs.iter().flat_map(|l| l.to_le_bytes()).collect::<Vec<u8>>();
    #[cfg(Py_3_13)]
    // SAFETY: the buffer is `bytes.len()` readable bytes, borrowed for the call; the flags
    // say little-endian and unsigned.
    let raw = unsafe {
        ffi::PyLong_FromNativeBytes(
            bytes.as_ptr().cast(),
            bytes.len(),
            ffi::Py_ASNATIVEBYTES_LITTLE_ENDIAN | ffi::Py_ASNATIVEBYTES_UNSIGNED_BUFFER,
        )
    };
    #[cfg(not(Py_3_13))]
    // SAFETY: the buffer is `bytes.len()` readable bytes, borrowed for the call;
    // little_endian = 1, is_signed = 0.
    let raw = unsafe { ffi::_PyLong_FromByteArray(bytes.as_ptr(), bytes.len(), 1, 0) };
    // SAFETY: a new reference to an exact int, or NULL with an exception.
    exact(unsafe { Owned::from_owned_ptr_or_err(raw) })
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
    #[inline]
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
            assert!(!crate::capi::error::occurred(), "to_u64 leaves no exception");
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
