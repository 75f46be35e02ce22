//! The f64 nearest to a decimal number, ties to even: what std's `str::parse` and serde_json (with
//! `float_roundtrip`) compute, without std's parser, whose table of powers of five alone is 20 KB
//! of wasm. Short numbers take one exact multiplication or division (Clinger's fast path); others
//! a first guess corrected by exact comparison with big integers (Clinger's AlgorithmR). What that
//! would make slow is declined (more than 40 significant digits, an exponent beyond ±400) and left
//! to serde_json.

use crate::big::Big;
use crate::parts;

/// Exactly representable powers of ten, 1e0 to 1e22.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

const MAX_DIGITS: usize = 40;
const MAX_EXPONENT: i64 = 400;

/// The nearest f64 to the decimal INTEGER.FRACTION (ASCII digits, without sign or point) times ten
/// to `exponent`; `None` when that is infinite or beyond what this reads (see the module's
/// documentation). Two slices, so a reader can pass the digits around a decimal point as they
/// stand in its text.
pub fn nearest(integer: &[u8], fraction: &[u8], exponent: i64) -> Option<f64> {
    let all = || integer.iter().chain(fraction).copied();
    let total = integer.len() + fraction.len();
    let Some(first) = all().position(|d| d != b'0') else { return Some(0.0) };
    let trailing = all().rev().position(|d| d != b'0').unwrap_or(0);
    let len = total - first - trailing;
    // The value is DIGITS × 10^k, DIGITS the significant digits (zeros at both ends dropped).
    let digits = || all().skip(first).take(len);
    let k = exponent.saturating_sub(i64::try_from(fraction.len()).ok()?).saturating_add(i64::try_from(trailing).ok()?);
    if len > MAX_DIGITS {
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
    if len <= 15 && k.unsigned_abs() <= 22 {
        // Both exact in f64 (under 2^53 and 1e22), so one rounding: the nearest.
        return Some(times_pow10(as_f64(digits()), k));
    }
    // A first guess within a few units in the last place, from the first 19 digits.
    let head = len.min(19);
    let guess = times_pow10(as_f64(digits().take(head)), k + i32::try_from(len - head).ok()?);
    correct(digits(), k, if guess.is_infinite() { f64::MAX } else { guess })
}

/// Decimal digits (at most 19) as an f64, rounded once.
fn as_f64(digits: impl Iterator<Item = u8>) -> f64 {
    let w = digits.fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    #[allow(clippy::cast_precision_loss)]
    let w = w as f64;
    w
}

/// x × 10^k in f64 arithmetic: exact for |k| ≤ 22 (one rounding), a few roundings beyond.
fn times_pow10(mut x: f64, mut k: i32) -> f64 {
    while k > 22 {
        x *= 1e22;
        k -= 22;
    }
    while k < -22 {
        x /= 1e22;
        k += 22;
    }
    let pow = POW10[k.unsigned_abs() as usize];
    if k >= 0 { x * pow } else { x / pow }
}

/// AlgorithmR: steps `z` one unit in the last place towards DIGITS × 10^k until it is the nearest
/// (ties to the even significand). `None` past f64::MAX or when the guess was too far off.
fn correct(digits: impl Iterator<Item = u8>, k: i32, mut z: f64) -> Option<f64> {
    let mut d = Big::from_u64(0);
    for c in digits {
        d.mul_add(10, u32::from(c - b'0'));
    }
    let (ten_up, ten_down) = (k.max(0).unsigned_abs(), (-k).max(0).unsigned_abs());
    d.mul_pow10(ten_up);
    for _ in 0..200 {
        // z = m × 2^e; x and z scaled by 10^ten_down × 2^max(-e, 0) to integers X and Z, and the
        // unit in the last place with them.
        let (m, e) = parts(z);
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
        let (mut diff, smaller) = if above { (x, zz) } else { (zz, x) };
        diff.sub(&smaller);
        // Twice the distance against one unit; below the lowest significand of a normal binade (not
        // the lowest one) the unit towards zero is half as large.
        diff.shl(1);
        if !above && m == 1 << 52 && e > -1074 {
            diff.shl(1);
        }
        match diff.cmp(&ulp) {
            std::cmp::Ordering::Less => return Some(z),
            std::cmp::Ordering::Equal if m & 1 == 0 => return Some(z),
            _ => {}
        }
        let bits = z.to_bits();
        z = if above { f64::from_bits(bits + 1) } else { f64::from_bits(bits.checked_sub(1)?) };
        if z.is_infinite() {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::correct;

    /// Just below a power of two the unit in the last place halves. From a guess on either side,
    /// AlgorithmR must end on the nearest: p − 0.3 ulp is p, p − 0.7 ulp is the double below p,
    /// and p − 0.5 ulp, a tie, is p (its significand is even). Guesses that start on p catch a
    /// correction that ignores the smaller unit below it.
    #[test]
    fn below_a_power_of_two_from_any_guess() {
        for k in 54..=120u32 {
            let p = 1u128 << k;
            let below = 1u128 << (k - 53);
            // 2^k, and the double below it.
            let pf = f64::from_bits(u64::from(k + 1023) << 52);
            let qf = f64::from_bits(pf.to_bits() - 1);
            let guesses = [pf, qf, f64::from_bits(pf.to_bits() + 1), f64::from_bits(qf.to_bits() - 1)];
            for (tenths, want) in [(3, pf), (7, qf), (5, pf)] {
                // (p − tenths/10 × below) × 10, as decimal digits, times 10^-1.
                let digits = (10 * p - tenths * below).to_string();
                for guess in guesses {
                    let got = correct(digits.bytes(), -1, guess);
                    assert_eq!(got, Some(want), "2^{k} - 0.{tenths} ulp from guess {guess:e}");
                }
            }
        }
    }
}
