//! Common utilities used by the library. Some tests and benchmarks rely on this module having
//! public visibility.

pub use arrayvec::ArrayVec;

pub type Hash = u64;

// A smaller version of Hash that is used in serialized format.
// Shouldn't be used to compare strings with each other.
pub type ShortHash = u32;

/// Crumbwall patch: the hash of tokens, hosts and filter ids. Upstream uses SeaHash (its
/// reference implementation on 32-bit targets, WebAssembly among them), whose set-up and
/// four-lane finish cost more than the hashing itself for the short strings hashed here: a URL's
/// ~20 tokens and its hosts on every request. This one takes 8 bytes at a time (a multiply and a
/// shift each; the length seeds it) and ends with MurmurHash3's 64-bit finaliser. For strings of
/// up to 8 bytes of one length it is a bijection (no collisions); longer ones collide as rarely as
/// any 64-bit hash. Engines serialise these hashes, so an engine is only read by the code that
/// built it (Crumbwall's engine format is versioned).
#[inline]
pub fn fast_hash(input: &str) -> Hash {
    const K1: u64 = 0xbf58_476d_1ce4_e5b9;
    const K2: u64 = 0x94d0_49bb_1331_11eb;
    let bytes = input.as_bytes();
    let mut h = 0x9e37_79b9_7f4a_7c15 ^ (bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(K1);
        h ^= h >> 31;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(K2);
        h ^= h >> 29;
    }
    // MurmurHash3 fmix64.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

thread_local! {
    static PREFILTERS: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Crumbwall patch: whether engines built on this thread get Crumbwall's candidate
/// prefilters (token masks and whole-host keys; on by default). Off builds an engine that
/// matches exactly as upstream's, for tests that compare the two.
#[doc(hidden)]
pub fn set_crumbwall_prefilters(on: bool) {
    PREFILTERS.with(|p| p.set(on));
}

pub(crate) fn crumbwall_prefilters() -> bool {
    PREFILTERS.with(|p| p.get())
}

/// Crumbwall patch: a token's bit in a 64-bit token mask (the hash's top six bits, which the
/// bucket keys, the low 32 bits, do not use).
#[inline]
pub(crate) fn token_bit(hash: Hash) -> u64 {
    1 << (hash >> 58)
}

#[inline]
pub fn to_short_hash(hash: Hash) -> ShortHash {
    hash as ShortHash
}

/// Characters that form a token. `%` is a separator so percent-encoded paths
/// like `%2Faymt%2Faa%2F%3F` yield interior tokens (`2faymt`, `2faa`) instead of
/// one last-token that `skip_last_token` would drop into the fallback bucket.
#[inline]
fn is_allowed_filter(ch: char) -> bool {
    ch.is_alphanumeric()
}

/// A fixed-size array-like vector of hashes with maximum capacity of 256.
/// Used instread of Vec<Hash> to avoid heap allocations.
pub(crate) type TokensBuffer = ArrayVec<Hash, 256>;

// Crumbwall patch: the tokenizer scans bytes when the text is ASCII (URLs nearly always are), a
// token at a time, and takes its character test as a generic parameter instead of `&dyn Fn`. The
// tokens are the same as upstream's: every caller's test is `is_allowed_filter`
// (`char::is_alphanumeric`), which for ASCII is `u8::is_ascii_alphanumeric`, and for ASCII text
// byte offsets are character offsets.
fn fast_tokenizer_no_regex<F: Fn(char) -> bool>(
    pattern: &str,
    is_allowed_code: &F,
    skip_first_token: bool,
    skip_last_token: bool,
    tokens_buffer: &mut TokensBuffer,
) {
    let kept = tokens_buffer.len();
    if !tokenize_ascii(pattern, skip_first_token, skip_last_token, tokens_buffer) {
        // Not ASCII: start again, a character at a time.
        tokens_buffer.truncate(kept);
        tokenize_chars(
            pattern,
            pattern.char_indices(),
            is_allowed_code,
            skip_first_token,
            skip_last_token,
            tokens_buffer,
        )
    }
}

/// Crumbwall patch: which bytes are ASCII letters and digits (a table load per byte instead of
/// three range tests).
static ASCII_ALNUM: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// [`tokenize_chars`] with `is_allowed_filter` on ASCII text: the same tokens, found by scanning
/// for each token's start and end instead of stepping a state machine per character. Returns
/// false, at the first non-ASCII byte, when the text is not ASCII (the tokens pushed until then
/// are the caller's to drop): then byte offsets are not character offsets.
fn tokenize_ascii(
    pattern: &str,
    skip_first_token: bool,
    skip_last_token: bool,
    tokens_buffer: &mut TokensBuffer,
) -> bool {
    let bytes = pattern.as_bytes();
    let n = bytes.len();
    // One slot stays free for the zero token.
    let limit = tokens_buffer.capacity() - 1;
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if !ASCII_ALNUM[b as usize] {
            if !b.is_ascii() {
                return false;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < n && ASCII_ALNUM[bytes[i] as usize] {
            i += 1;
        }
        if tokens_buffer.len() >= limit {
            // Upstream stops here too; the rest is only checked for being ASCII.
            return bytes[i..].is_ascii();
        }
        // A token next to a `*` is not a whole token.
        let after_star = start > 0 && bytes[start - 1] == b'*';
        let keep = if i < n {
            (start != 0 || !skip_first_token) && i - start > 1 && bytes[i] != b'*' && !after_star
        } else {
            !skip_last_token && i - start > 1 && !after_star
        };
        if keep {
            tokens_buffer.push(fast_hash(&pattern[start..i]));
        }
    }
    true
}

#[inline(always)]
fn tokenize_chars<F: Fn(char) -> bool>(
    pattern: &str,
    chars: impl Iterator<Item = (usize, char)>,
    is_allowed_code: &F,
    skip_first_token: bool,
    skip_last_token: bool,
    tokens_buffer: &mut TokensBuffer,
) {
    // let mut tokens_buffer_index = 0;
    let mut inside: bool = false;
    let mut start = 0;
    let mut preceding_ch: Option<char> = None; // Used to check if a '*' is not just before a token

    for (i, c) in chars {
        if tokens_buffer.capacity() - tokens_buffer.len() <= 1 {
            return; // reserve one free slot for the zero token
        }
        if is_allowed_code(c) {
            if !inside {
                inside = true;
                start = i;
            }
        } else if inside {
            inside = false;
            // Should not be followed by '*'
            if (start != 0 || !skip_first_token)
                && i - start > 1
                && c != '*'
                && preceding_ch != Some('*')
            {
                let hash = fast_hash(&pattern[start..i]);
                tokens_buffer.push(hash);
            }
            preceding_ch = Some(c);
        } else {
            preceding_ch = Some(c);
        }
    }

    if !skip_last_token && inside && pattern.len() - start > 1 && (preceding_ch != Some('*')) {
        let hash = fast_hash(&pattern[start..]);
        tokens_buffer.push(hash);
    }
}

pub(crate) fn tokenize_pooled(pattern: &str, tokens_buffer: &mut TokensBuffer) {
    fast_tokenizer_no_regex(pattern, &is_allowed_filter, false, false, tokens_buffer);
}

pub fn tokenize(pattern: &str) -> Vec<Hash> {
    let mut tokens_buffer = TokensBuffer::default();
    tokenize_to(pattern, &mut tokens_buffer);
    tokens_buffer.into_iter().collect()
}

pub(crate) fn tokenize_to(pattern: &str, tokens_buffer: &mut TokensBuffer) {
    fast_tokenizer_no_regex(pattern, &is_allowed_filter, false, false, tokens_buffer);
}

#[cfg(test)]
pub(crate) fn tokenize_filter(
    pattern: &str,
    skip_first_token: bool,
    skip_last_token: bool,
) -> Vec<Hash> {
    let mut tokens_buffer = TokensBuffer::default();
    tokenize_filter_to(
        pattern,
        skip_first_token,
        skip_last_token,
        &mut tokens_buffer,
    );
    tokens_buffer.into_iter().collect()
}

pub(crate) fn tokenize_filter_to(
    pattern: &str,
    skip_first_token: bool,
    skip_last_token: bool,
    tokens_buffer: &mut TokensBuffer,
) {
    fast_tokenizer_no_regex(
        pattern,
        &is_allowed_filter,
        skip_first_token,
        skip_last_token,
        tokens_buffer,
    );
}

pub(crate) fn bin_lookup<T: Ord>(arr: &[T], elt: T) -> bool {
    arr.binary_search(&elt).is_ok()
}

#[cfg(test)]
#[path = "../tests/unit/utils.rs"]
mod unit_tests;
