//! f64 to text, exactly as std's `{}` and `{:.N}` write it, without std's float
//! formatting: its Grisu and Dragon4 code and tables were 18 KB of the browser's wasm, 7 KiB
//! gzipped. The shortest digits come from zmij, which serde_json already uses to write JSON; the
//! fixed-point form is computed exactly on the binary value with a small big integer (messages are
//! few, so speed does not matter here).

use crate::big::Big;
use crate::parts;

/// `format!("{x}")`: the shortest digits that read back as `x`, never in exponent form.
pub fn shortest(x: f64) -> String {
    let mut out = sign_or_special(x);
    if !x.is_finite() {
        return out;
    }
    let mut buffer = zmij::Buffer::new();
    let (mut digits, mut point) = digits_of(buffer.format_finite(x.abs()));
    // Two shortest candidates equally near x: zmij takes the even one, std the greater.
    let (significand, exponent) = parts(x);
    if halfway_above(significand, exponent, &digits, point) {
        point += increment(&mut digits);
    }
    // x = 0.DIGITS × 10^point
    let len = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    if digits.is_empty() {
        out.push('0');
    } else if point <= 0 {
        out.push_str("0.");
        push_zeros(&mut out, -point);
        out.push_str(&digits);
    } else if point >= len {
        out.push_str(&digits);
        push_zeros(&mut out, point - len);
    } else {
        let (int, frac) = digits.split_at(usize::try_from(point).unwrap_or(0));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// `format!("{x:.decimals$}")`: `x` rounded to `decimals` places, half to even on its exact binary
/// value, as std rounds.
pub fn fixed(x: f64, decimals: u32) -> String {
    let mut out = sign_or_special(x);
    if !x.is_finite() {
        return out;
    }
    let (significand, exponent) = parts(x);
    let mut n = Big::from_u64(significand);
    n.mul_pow10(decimals);
    if exponent >= 0 {
        n.shl(exponent.unsigned_abs());
    } else {
        n.shr_round_even(exponent.unsigned_abs());
    }
    let digits = n.to_decimal();
    let decimals = decimals as usize;
    // At least one digit before the point.
    let pad = (decimals + 1).saturating_sub(digits.len());
    let padded: String = "0".repeat(pad) + &digits;
    let (int, frac) = padded.split_at(padded.len() - decimals);
    out.push_str(int);
    if decimals > 0 {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Whether significand × 2^exponent is exactly 0.DIGITS × 10^point plus half a unit of the last
/// digit: m × 2^(e+1) × 10^k = 2D + 1, with D the digits as an integer and k the places after the
/// point, compared as integers.
fn halfway_above(significand: u64, exponent: i32, digits: &str, point: i64) -> bool {
    let Ok(d) = digits.parse::<u64>() else { return false };
    let Some(odd) = d.checked_mul(2).and_then(|d| d.checked_add(1)) else { return false };
    let (mut left, mut right) = (Big::from_u64(significand), Big::from_u64(odd));
    let twos = i64::from(exponent) + 1;
    let tens = i64::try_from(digits.len()).unwrap_or(0) - point;
    let shift = |b: &mut Big, n: i64| b.shl(u32::try_from(n).unwrap_or(0));
    if twos >= 0 {
        shift(&mut left, twos)
    } else {
        shift(&mut right, -twos)
    }
    let tens_abs = u32::try_from(tens.unsigned_abs()).unwrap_or(u32::MAX);
    if tens >= 0 {
        left.mul_pow10(tens_abs)
    } else {
        right.mul_pow10(tens_abs)
    }
    left.cmp(&right).is_eq()
}

/// Adds one to a decimal digit string, dropping trailing zeros; returns how far the point moves
/// (1 when all digits were nines).
fn increment(digits: &mut String) -> i64 {
    let mut bytes = std::mem::take(digits).into_bytes();
    let mut carry = true;
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            carry = false;
            break;
        }
    }
    if carry {
        bytes.insert(0, b'1');
    }
    while bytes.last() == Some(&b'0') {
        bytes.pop();
    }
    *digits = String::from_utf8(bytes).unwrap_or_default();
    i64::from(carry)
}

/// "-" for a negative number (std writes "-0" and "-0.00" too), or the whole text of NaN and the
/// infinities.
fn sign_or_special(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    if x.is_infinite() {
        out.push_str("inf");
    }
    out
}

fn push_zeros(out: &mut String, n: i64) {
    for _ in 0..n {
        out.push('0');
    }
}

/// The significant digits of a number zmij wrote (`1.5`, `1e+21`, `5e-324`, `0.001`) without leading
/// or trailing zeros, and where the point goes: the value is 0.DIGITS × 10^point.
fn digits_of(text: &str) -> (String, i64) {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{int}{frac}");
    let trimmed = all.trim_start_matches('0');
    let leading = all.len() - trimmed.len();
    let digits = trimmed.trim_end_matches('0').to_owned();
    let point = i64::try_from(int.len()).unwrap_or(0) - i64::try_from(leading).unwrap_or(0) + exponent;
    (digits, point)
}

#[cfg(test)]
mod tests {
    use super::{fixed, shortest};

    /// A small deterministic generator (xorshift), so failures repeat.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn check(x: f64) {
        assert_eq!(shortest(x), format!("{x}"), "{{}} of {:e} ({:#x})", x, x.to_bits());
        for d in [0, 1, 2, 3, 5] {
            assert_eq!(fixed(x, d), format!("{x:.*}", d as usize), "{{:.{d}}} of {:e} ({:#x})", x, x.to_bits());
        }
    }

    #[test]
    fn special_values_and_ties_as_std() {
        for x in [
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            0.125,
            0.375,
            -0.125,
            2.5,
            0.5,
            1.5,
            -0.5,
            0.0625,
            1.0625,
            0.001,
            -0.001,
            0.005,
            0.015,
            0.025,
            0.045,
            1e21,
            1e22,
            1e23,
            1e-7,
            123.456,
            1e300,
            0.1 + 0.2,
            9_007_199_254_740_993.0,
            1e15,
            999_999_999_999_999.9,
            0.9999,
            0.9995,
            0.99949999,
            -0.0005,
            4_503_599_627_370_495.5,
        ] {
            check(x);
        }
    }

    #[test]
    fn random_values_as_std() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for i in 0..200_000 {
            let bits = rng.next();
            // Every bit pattern, then values of the sizes messages show, then short decimals.
            let x = match i % 3 {
                0 => f64::from_bits(bits),
                1 => (bits >> 11) as f64 / (1u64 << (bits % 60)) as f64 - 1e3,
                _ => (bits % 2_000_000) as f64 / [1.0, 8.0, 100.0, 1000.0, 1024.0][(bits % 5) as usize] - 1e4,
            };
            check(x);
        }
    }
}
