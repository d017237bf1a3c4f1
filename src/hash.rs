//! FNV-1a (64-bit), the one hash the crate uses for keys it computes itself: document keys,
//! content hashes of raw files, word hashes for de-duplication and quotations, and the stem
//! cache. Fast on short keys and stable across platforms and versions (stored values in the
//! index and manifest depend on it). Not for keys an adversary chooses to collide.

/// The FNV-1a offset basis.
pub const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// The FNV-1a prime.
pub const PRIME: u64 = 0x0100_0000_01b3;

/// One step: folds `value` into the running hash `h`.
#[inline]
pub fn step(h: u64, value: u64) -> u64 {
    (h ^ value).wrapping_mul(PRIME)
}

/// FNV-1a of a byte string.
#[inline]
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(OFFSET, |h, &b| step(h, u64::from(b)))
}

/// FNV-1a as a [`std::hash::Hasher`], for hash maps keyed by short strings.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(OFFSET)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = bytes.iter().fold(self.0, |h, &b| step(h, u64::from(b)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
