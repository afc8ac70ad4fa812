//! The virtual New eID card.

pub mod cns;
