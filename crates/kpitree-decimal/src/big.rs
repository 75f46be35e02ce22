//! A non-negative big integer, just what the exact conversions need: base 2^32 limbs, least
//! significant first, never a zero limb on top (so lengths compare first).

use std::cmp::Ordering;

#[derive(Clone)]
pub(crate) struct Big(Vec<u32>);

impl Big {
    pub(crate) fn from_u64(n: u64) -> Big {
        let mut b = Big(vec![(n & 0xFFFF_FFFF) as u32, (n >> 32) as u32]);
        b.trim();
        b
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    /// self = self × m + a.
    pub(crate) fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = (v & 0xFFFF_FFFF) as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    pub(crate) fn mul_pow10(&mut self, n: u32) {
        for _ in 0..n / 9 {
            self.mul_add(1_000_000_000, 0);
        }
        for _ in 0..n % 9 {
            self.mul_add(10, 0);
        }
    }

    pub(crate) fn shl(&mut self, bits: u32) {
        if self.0.is_empty() {
            return;
        }
        let (limbs, bits) = ((bits / 32) as usize, bits % 32);
        if bits > 0 {
            let mut carry = 0u32;
            for limb in &mut self.0 {
                let v = (u64::from(*limb) << bits) | u64::from(carry);
                *limb = (v & 0xFFFF_FFFF) as u32;
                carry = (v >> 32) as u32;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        self.0.splice(0..0, std::iter::repeat_n(0, limbs));
    }

    /// Divides by 2^bits, rounding half to even.
    pub(crate) fn shr_round_even(&mut self, bits: u32) {
        let bit = |v: &[u32], i: u64| -> bool {
            usize::try_from(i / 32).ok().and_then(|l| v.get(l)).is_some_and(|limb| limb >> (i % 32) & 1 == 1)
        };
        let bits = u64::from(bits);
        // The dropped part against one half: its top bit, then whether any bit below it is set.
        let half = bits > 0 && bit(&self.0, bits - 1);
        let below = bits > 1 && (0..bits - 1).any(|i| bit(&self.0, i));
        let (limbs, shift) = (usize::try_from(bits / 32).unwrap_or(usize::MAX), (bits % 32) as u32);
        let mut q: Vec<u32> = self.0.iter().skip(limbs).copied().collect();
        if shift > 0 {
            for i in 0..q.len() {
                let high = q.get(i + 1).copied().unwrap_or(0);
                q[i] = (q[i] >> shift) | (high << (32 - shift));
            }
        }
        self.0 = q;
        self.trim();
        let odd = self.0.first().is_some_and(|l| l & 1 == 1);
        if half && (below || odd) {
            self.add_one();
        }
    }

    fn add_one(&mut self) {
        for limb in &mut self.0 {
            let (v, overflow) = limb.overflowing_add(1);
            *limb = v;
            if !overflow {
                return;
            }
        }
        self.0.push(1);
    }

    /// self −= other, for other ≤ self.
    pub(crate) fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(v < 0);
            *limb = (v + (borrow << 32)) as u32;
        }
        self.trim();
    }

    pub(crate) fn cmp(&self, other: &Big) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// Decimal digits, without leading zeros ("0" for zero).
    pub(crate) fn to_decimal(&self) -> String {
        let mut limbs = self.0.clone();
        let mut chunks = Vec::new();
        while !limbs.is_empty() {
            // Divide by 10^9, keeping the remainder: nine decimal digits.
            let mut rem = 0u64;
            for limb in limbs.iter_mut().rev() {
                let v = (rem << 32) | u64::from(*limb);
                *limb = (v / 1_000_000_000) as u32;
                rem = v % 1_000_000_000;
            }
            chunks.push(rem as u32);
            while limbs.last() == Some(&0) {
                limbs.pop();
            }
        }
        let mut out = chunks.pop().map_or_else(|| "0".to_owned(), |c| c.to_string());
        for c in chunks.iter().rev() {
            out.push_str(&format!("{c:09}"));
        }
        out
    }
}
