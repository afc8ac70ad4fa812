//! Helpers shared by the unit tests: the test vector file reader, hex
//! decoding, a replaying random source and a small deterministic generator
//! for malformed-input loops.

use std::collections::VecDeque;

use crate::crypto::RandomSource;
use crate::error::Result;

/// Decodes hex, ignoring ASCII whitespace. Panics on anything else, because
/// the input is written in the test source.
pub(crate) fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len() % 2 == 0, "odd number of hex digits in {text:?}");
    digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).expect("hex digits are ASCII");
            u8::from_str_radix(pair, 16).unwrap_or_else(|_| panic!("invalid hex digits {pair:?}"))
        })
        .collect()
}

/// Encodes bytes as upper-case hex for assertion messages.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Named byte strings from a file under `testdata/`.
///
/// The format is `name = hex`, where the hex may continue on following lines
/// that start with whitespace. Lines starting with `#` are comments.
pub(crate) struct Vectors {
    name: &'static str,
    entries: Vec<(String, Vec<u8>)>,
}

impl Vectors {
    pub(crate) fn parse(name: &'static str, text: &str) -> Self {
        let mut entries: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if line.starts_with(char::is_whitespace) {
                let (_, value) = entries
                    .last_mut()
                    .unwrap_or_else(|| panic!("{name}: continuation line first"));
                value.push_str(trimmed);
            } else {
                let (key, value) = trimmed
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{name}: line without '=': {line}"));
                entries.push((key.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let entries = entries.into_iter().map(|(key, value)| (key, hex(&value))).collect();
        Self { name, entries }
    }

    /// Returns the value of `key`; panics with the file name if it is absent.
    pub(crate) fn get(&self, key: &str) -> Vec<u8> {
        self.entries
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| panic!("{}: no vector named {key}", self.name))
    }
}

/// A random source that returns queued values, one per call, so that a test
/// can replay the nonces and private keys of a published example.
///
/// A queued value shorter than the request is left-padded with zero bytes and
/// leading zero bytes of a longer one are dropped, because published private
/// keys are big-endian numbers written with varying widths.
pub(crate) struct ReplayRandom {
    queue: VecDeque<Vec<u8>>,
}

impl ReplayRandom {
    pub(crate) fn new(values: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self {
            queue: values.into_iter().collect(),
        }
    }

    pub(crate) fn is_exhausted(&self) -> bool {
        self.queue.is_empty()
    }
}

impl RandomSource for ReplayRandom {
    fn fill(&mut self, out: &mut [u8]) -> Result<()> {
        let value = self.queue.pop_front().expect("ReplayRandom: no queued value left");
        let significant = value.iter().skip_while(|&&b| b == 0).count();
        assert!(
            significant <= out.len(),
            "ReplayRandom: queued value of {} bytes does not fit {} bytes",
            value.len(),
            out.len()
        );
        out.fill(0);
        let start = out.len() - significant;
        out[start..].copy_from_slice(&value[value.len() - significant..]);
        Ok(())
    }
}

/// A xorshift64* generator for malformed-input loops: fast, deterministic and
/// not cryptographic.
pub(crate) struct TestRng(u64);

impl TestRng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Returns a value in `0..bound`; `bound` must not be zero.
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }

    /// Returns a copy of `input` with one random change: a flipped bit, a
    /// dropped tail, an inserted byte or a changed length byte.
    pub(crate) fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        if out.is_empty() {
            let len = self.below(8);
            return self.bytes(len);
        }
        match self.below(4) {
            0 => {
                let index = self.below(out.len());
                out[index] ^= 1 << self.below(8);
            }
            1 => out.truncate(self.below(out.len())),
            2 => {
                let index = self.below(out.len() + 1);
                out.insert(index, self.next_u64() as u8);
            }
            _ => {
                let index = self.below(out.len());
                out[index] = [0x00, 0x7F, 0x80, 0x81, 0x82, 0x84, 0xFF][self.below(7)];
            }
        }
        out
    }
}
