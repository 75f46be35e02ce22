//! The f64 nearest to a decimal number, ties to even: what std's `str::parse` and serde_json (with
//! `float_roundtrip`) compute, without std's parser, whose table of powers of five alone is 20 KB
//! of wasm. Short numbers take one exact multiplication or division (Clinger's fast path); others
//! a first guess corrected by exact comparison with big integers (Clinger's AlgorithmR). What that
//! would make slow is declined (more than 40 significant digits, an exponent beyond ±400) and left
//! to serde_json.

use crate::big::Big;

/// Exactly representable powers of ten, 1e0 to 1e22.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

const MAX_DIGITS: usize = 40;
const MAX_EXPONENT: i64 = 400;

/// The nearest f64 to the digits (ASCII, without sign or point) times ten to `exponent`; `None`
/// when that is infinite or beyond what this reads (see the module's documentation).
pub fn nearest(digits: &[u8], exponent: i64) -> Option<f64> {
    let Some(first) = digits.iter().position(|&d| d != b'0') else { return Some(0.0) };
    let last = digits.iter().rposition(|&d| d != b'0').map_or(digits.len(), |i| i + 1);
    // The value is DIGITS × 10^k once the zeros at both ends are dropped.
    let k = exponent.saturating_add(i64::try_from(digits.len() - last).ok()?);
    let digits = &digits[first..last];
    if digits.len() > MAX_DIGITS {
        return None;
    }
    if k < -MAX_EXPONENT {
        // Below 10^40 × 10^-400: far under half the smallest subnormal.
        return Some(0.0);
    }
    if k > MAX_EXPONENT {
        return None;
    }
    let k = i32::try_from(k).ok()?;
    if digits.len() <= 15 && k.unsigned_abs() <= 22 {
        // Both exact in f64 (under 2^53 and 1e22), so one rounding: the nearest.
        let w = digits.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        let pow = POW10[k.unsigned_abs() as usize];
        #[allow(clippy::cast_precision_loss)]
        let w = w as f64;
        return Some(if k >= 0 { w * pow } else { w / pow });
    }
    correct(digits, k, guess(digits, k))
}

/// A first guess within a few units in the last place, from the first 19 digits in f64 arithmetic.
fn guess(digits: &[u8], k: i32) -> f64 {
    let head = &digits[..digits.len().min(19)];
    let w = head.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
    #[allow(clippy::cast_precision_loss)]
    let mut x = w as f64;
    let mut k = k + i32::try_from(digits.len() - head.len()).unwrap_or(0);
    while k > 22 {
        x *= 1e22;
        k -= 22;
    }
    while k < -22 {
        x /= 1e22;
        k += 22;
    }
    let pow = POW10[k.unsigned_abs() as usize];
    x = if k >= 0 { x * pow } else { x / pow };
    if x.is_infinite() { f64::MAX } else { x }
}

/// AlgorithmR: steps `z` one unit in the last place towards DIGITS × 10^k until it is the nearest
/// (ties to the even significand). `None` past f64::MAX or when the guess was too far off.
fn correct(digits: &[u8], k: i32, mut z: f64) -> Option<f64> {
    let mut d = Big::from_u64(0);
    for &c in digits {
        d.mul_add(10, u32::from(c - b'0'));
    }
    let (ten_up, ten_down) = (k.max(0).unsigned_abs(), (-k).max(0).unsigned_abs());
    d.mul_pow10(ten_up);
    for _ in 0..200 {
        // z = m × 2^e; x and z scaled by 10^ten_down × 2^max(-e, 0) to integers X and Z, and the
        // unit in the last place with them.
        let bits = z.to_bits();
        let biased = bits >> 52;
        let fraction = bits & ((1 << 52) - 1);
        let (m, e) = if biased == 0 {
            (fraction, -1074i32)
        } else {
            (fraction | (1 << 52), i32::try_from(biased).unwrap_or(0) - 1075)
        };
        let mut x = d.clone();
        x.shl((-e).max(0).unsigned_abs());
        let mut zz = Big::from_u64(m);
        zz.shl(e.max(0).unsigned_abs());
        zz.mul_pow10(ten_down);
        let mut ulp = Big::from_u64(1);
        ulp.shl(e.max(0).unsigned_abs());
        ulp.mul_pow10(ten_down);
        let above = match x.cmp(&zz) {
            std::cmp::Ordering::Equal => return Some(z),
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
        };
        let mut diff = if above { x.clone() } else { zz.clone() };
        diff.sub(if above { &zz } else { &x });
        // Twice the distance against one unit; below the lowest significand of a binade the unit
        // towards zero is half as large.
        diff.shl(1);
        if !above && m == 1 << 52 && biased > 1 {
            diff.shl(1);
        }
        match diff.cmp(&ulp) {
            std::cmp::Ordering::Less => return Some(z),
            std::cmp::Ordering::Equal if m & 1 == 0 => return Some(z),
            _ => {}
        }
        z = if above { f64::from_bits(bits + 1) } else { f64::from_bits(bits.checked_sub(1)?) };
        if z.is_infinite() {
            return None;
        }
    }
    None
}
