use crate::filters::fb_network_builder::NetworkFilterListId;
use crate::flatbuffers::unsafe_tools::VerifiedFlatbufferMemory;
use crate::utils::{Hash, ShortHash};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Crumbwall patch: the map from a domain hash to its index. The keys are already hashes, so
/// `FxHasher` replaces the default SipHash (a few percent of every request's matching time).
pub(crate) type DomainIndexMap = HashMap<Hash, u32, BuildHasherDefault<rustc_hash::FxHasher>>;

/// Crumbwall patch: a bitset over the keys of one sorted token index, asked before the binary
/// search. Most of a request's tokens are keys of no filter; for those, one bit test replaces a
/// binary search over tens of thousands of keys. A set bit may be a false positive (about 1 in
/// 16 at the sizes used); the search then decides, as before.
pub(crate) struct KeyBits {
    bits: Vec<u64>,
    mask: u32,
}

impl KeyBits {
    fn new(keys: &[ShortHash]) -> Self {
        // About 16 bits per key, a power of two between 64 bits and 2^21 bits (256 KB).
        let len = (keys.len().saturating_mul(16))
            .clamp(64, 1 << 21)
            .next_power_of_two();
        let mut bits = vec![0u64; len / 64];
        let mask = (len - 1) as u32;
        for &k in keys {
            let i = (k & mask) as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
        Self { bits, mask }
    }

    /// Whether `key` may be in the index (false: it certainly is not).
    #[inline]
    pub(crate) fn may_contain(&self, key: ShortHash) -> bool {
        let i = (key & self.mask) as usize;
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }
}

/// Crumbwall patch: the key bitsets of one network filter list: its filter map and its
/// domain-options map.
pub(crate) struct ListKeyBits {
    pub(crate) filter_map: KeyBits,
    pub(crate) opt_domains_map: KeyBits,
}

#[cfg(feature = "single-thread")]
pub(crate) type FilterDataContextRef = std::rc::Rc<FilterDataContext>;
#[cfg(not(feature = "single-thread"))]
pub(crate) type FilterDataContextRef = std::sync::Arc<FilterDataContext>;

// The struct is used to store the flatbuffer and supporting data
// for both network filter and cosmetic filters.
// Supposed to be stored via FilterDataContextRef to avoid copying the data.
pub(crate) struct FilterDataContext {
    pub(crate) memory: VerifiedFlatbufferMemory,
    pub(crate) unique_domains_hashes_map: DomainIndexMap,
    pub(crate) debug: bool,
    /// Per network filter list (by [`NetworkFilterListId`]), its key bitsets.
    pub(crate) list_key_bits: Vec<ListKeyBits>,
}

impl FilterDataContext {
    pub(crate) fn new(memory: VerifiedFlatbufferMemory) -> FilterDataContextRef {
        // Reconstruct the unique_domains_hashes_map from the flatbuffer data
        let root = memory.root();
        let debug = root.debug();
        let mut unique_domains_hashes_map = DomainIndexMap::default();
        for (index, hash) in root.unique_domains_hashes().iter().enumerate() {
            unique_domains_hashes_map.insert(hash, index as u32);
        }
        let lists = root.network_rules();
        let list_key_bits = (0..NetworkFilterListId::Size as usize)
            .map(|id| {
                let keys = |v: Option<flatbuffers::Vector<'_, u32>>| -> Vec<ShortHash> {
                    v.map(|v| v.iter().collect()).unwrap_or_default()
                };
                let list = (id < lists.len()).then(|| lists.get(id));
                ListKeyBits {
                    filter_map: KeyBits::new(&keys(list.map(|l| l.filter_map_index()))),
                    opt_domains_map: KeyBits::new(&keys(list.map(|l| l.opt_domains_map_index()))),
                }
            })
            .collect();
        FilterDataContextRef::new(Self {
            memory,
            unique_domains_hashes_map,
            debug,
            list_key_bits,
        })
    }
}
