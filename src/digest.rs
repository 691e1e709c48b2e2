//! Texts as 128-bit numbers, for looking them up without keeping them: occurrence ids in the
//! plan's index, JSON pointers in a file's spans, notice keys in Message-IDs.

/// Two independently seeded 64-bit Fx hashes of a text, as one 128-bit digest (a collision
/// among a million texts is as likely as ~10⁻²⁶).
pub fn of(text: &str) -> u128 {
    use std::hash::Hasher;
    let mut a = rustc_hash::FxHasher::default();
    a.write(text.as_bytes());
    let mut b = rustc_hash::FxHasher::with_seed(0x9e37_79b9_7f4a_7c15);
    b.write(text.as_bytes());
    b.write_usize(text.len());
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}
