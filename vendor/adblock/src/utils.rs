//! Common utilities used by the library. Some tests and benchmarks rely on this module having
//! public visibility.

#[cfg(target_pointer_width = "64")]
use seahash::hash;
#[cfg(target_pointer_width = "32")]
use seahash::reference::hash;

pub use arrayvec::ArrayVec;

pub type Hash = u64;

// A smaller version of Hash that is used in serialized format.
// Shouldn't be used to compare strings with each other.
pub type ShortHash = u32;

#[inline]
pub fn fast_hash(input: &str) -> Hash {
    hash(input.as_bytes()) as Hash
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
    if pattern.is_ascii() {
        tokenize_ascii(pattern, skip_first_token, skip_last_token, tokens_buffer)
    } else {
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

/// [`tokenize_chars`] with `is_allowed_filter` on ASCII text: the same tokens, found by scanning
/// for each token's start and end instead of stepping a state machine per character.
fn tokenize_ascii(
    pattern: &str,
    skip_first_token: bool,
    skip_last_token: bool,
    tokens_buffer: &mut TokensBuffer,
) {
    let bytes = pattern.as_bytes();
    let n = bytes.len();
    // One slot stays free for the zero token.
    let limit = tokens_buffer.capacity() - 1;
    let mut i = 0;
    while i < n {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if tokens_buffer.len() >= limit {
            return;
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
