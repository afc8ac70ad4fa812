//! CNS 11643 (全字庫) text as the card stores it, for the virtual card's data groups.
//!
//! A character is either one ASCII byte 0x20–0x7E or three bytes: the CNS plane
//! (0x01–0x13) and the two code bytes (each 0x21–0x7E), so 全字庫 code `1-4421` is
//! `01 44 21`. The table is `data/cns-unicode.bin`, the same file the TypeScript
//! package reads; `tools/build-cns-table.mjs` documents its layout.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

#[cfg(test)]
mod tests;

// NOTE: the path leaves the crate, so this crate cannot be packaged on its own.
const TABLE: &[u8] = include_bytes!("../../../data/cns-unicode.bin");

const HEADER_SIZE: usize = 32;
const DIRECTORY_OFFSET: usize = 12;
const ROWS: usize = 94;
const BYTES_PER_CELL: usize = 3;
const BLOCK_SIZE: usize = ROWS * ROWS * BYTES_PER_CELL;
const FIRST_CODE_BYTE: u8 = 0x21;
const LAST_CODE_BYTE: u8 = 0x7e;
/// Highest plane a plane byte can name (0x13).
pub const LAST_PLANE: u8 = 19;

// Reject a table with another layout at compile time: magic "CNSU", version 1,
// 3 bytes per cell, 94 rows, and a size that matches the number of blocks.
const _: () = match TABLE {
    [b'C', b'N', b'S', b'U', 1, 3, 94, blocks, ..] => {
        assert!(
            TABLE.len() == HEADER_SIZE + (*blocks as usize) * BLOCK_SIZE,
            "cns-unicode.bin has the wrong size"
        );
    }
    _ => panic!("cns-unicode.bin has an unknown header"),
};

/// A 全字庫 code: plane 1–19 and two code bytes 0x21–0x7E.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CnsCode {
    pub plane: u8,
    pub row: u8,
    pub column: u8,
}

impl CnsCode {
    /// Returns the code if the plane is 1–19 and both code bytes are 0x21–0x7E.
    pub fn new(plane: u8, row: u8, column: u8) -> Option<Self> {
        let valid = (1..=LAST_PLANE).contains(&plane) && is_code_byte(row) && is_code_byte(column);
        valid.then_some(Self { plane, row, column })
    }

    /// Returns the three bytes that stand for this code in CNS text.
    pub fn to_bytes(self) -> [u8; 3] {
        [self.plane, self.row, self.column]
    }
}

impl fmt::Display for CnsCode {
    /// Formats the code as 全字庫 writes it: `1-4421`, `15-2121`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02X}{:02X}", self.plane, self.row, self.column)
    }
}

fn is_code_byte(byte: u8) -> bool {
    (FIRST_CODE_BYTE..=LAST_CODE_BYTE).contains(&byte)
}

/// Returns the character of a code, or `None` when the code has no Unicode mapping.
pub fn char_of_code(code: CnsCode) -> Option<char> {
    let block = *TABLE.get(DIRECTORY_OFFSET + usize::from(code.plane))?;
    if block == 0 {
        return None;
    }
    let cell = usize::from(code.row.checked_sub(FIRST_CODE_BYTE)?) * ROWS
        + usize::from(code.column.checked_sub(FIRST_CODE_BYTE)?);
    let offset = HEADER_SIZE + (usize::from(block) - 1) * BLOCK_SIZE + cell * BYTES_PER_CELL;
    let bytes = TABLE.get(offset..offset + BYTES_PER_CELL)?;
    let code_point = bytes
        .iter()
        .rev()
        .fold(0u32, |value, byte| (value << 8) | u32::from(*byte));
    if code_point == 0 {
        return None;
    }
    char::from_u32(code_point)
}

/// Iterates over every code that has a Unicode mapping, by plane, then row, then column.
pub fn mapped_codes() -> impl Iterator<Item = (CnsCode, char)> {
    (1..=LAST_PLANE).flat_map(|plane| {
        (FIRST_CODE_BYTE..=LAST_CODE_BYTE).flat_map(move |row| {
            (FIRST_CODE_BYTE..=LAST_CODE_BYTE).filter_map(move |column| {
                let code = CnsCode { plane, row, column };
                char_of_code(code).map(|character| (code, character))
            })
        })
    })
}

/// Returns the preferred code of a character, or `None` when it has none.
///
/// When several codes map to one character, the preferred one is in the lowest plane,
/// then has the lowest code in that plane, as in the TypeScript `cnsCodeOf`. The index
/// is built on the first call.
pub fn code_of_char(character: char) -> Option<CnsCode> {
    static INDEX: OnceLock<HashMap<char, CnsCode>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        // mapped_codes ascends, so the first code kept for a character is the preferred one.
        for (code, character) in mapped_codes() {
            index.entry(character).or_insert(code);
        }
        index
    });
    index.get(&character).copied()
}

/// Error of [`encode_cns_text`]. Every `index` counts characters (Unicode scalar
/// values) of the input from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CnsEncodeError {
    /// The character has no CNS 11643 code.
    Unmappable { index: usize, character: char },
    /// A `{` at `index` starts something other than a `{P-HHHH}` code or `{{`.
    InvalidEscape { index: usize, text: String },
}

impl fmt::Display for CnsEncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unmappable { index, character } => {
                write!(f, "character {character:?} (U+{:04X}) at index {index} has no CNS 11643 code", u32::from(*character))
            }
            Self::InvalidEscape { index, text } => write!(
                f,
                "invalid CNS code {text:?} at index {index}: write {{P-HHHH}} with a plane 1-19 and code bytes 21-7E, or {{{{ for a literal brace"
            ),
        }
    }
}

impl std::error::Error for CnsEncodeError {}

/// Maximum length of an escape body: two plane digits, the hyphen and four hex digits.
const MAX_ESCAPE_BODY: usize = 7;

/// Encodes text as CNS text.
///
/// U+0020–U+007E are written as ASCII bytes, and every other character as its
/// preferred code (see [`code_of_char`]). So that persona files can hold characters
/// without a Unicode mapping, `{P-HHHH}` writes the code `P-HHHH` as it is (plane 1–19
/// in decimal, four hex digits in either case, such as `{15-2121}` or `{16-2121}`), and
/// `{{` writes a literal `{`. Any other use of `{` is an error.
pub fn encode_cns_text(text: &str) -> Result<Vec<u8>, CnsEncodeError> {
    let mut output = Vec::with_capacity(text.len());
    let mut characters = text.chars().enumerate().peekable();
    while let Some((index, character)) = characters.next() {
        if character == '{' {
            if characters.next_if(|&(_, next)| next == '{').is_some() {
                output.push(b'{');
                continue;
            }
            let mut body = String::new();
            let mut closed = false;
            while let Some((_, next)) = characters.next_if(|_| body.chars().count() <= MAX_ESCAPE_BODY) {
                if next == '}' {
                    closed = true;
                    break;
                }
                body.push(next);
            }
            let code = if closed { parse_code(&body) } else { None };
            let code = code.ok_or_else(|| CnsEncodeError::InvalidEscape {
                index,
                text: if closed {
                    format!("{{{body}}}")
                } else {
                    format!("{{{body}")
                },
            })?;
            output.extend_from_slice(&code.to_bytes());
        } else if (' '..='~').contains(&character) {
            // The range contains ASCII only, so the conversion keeps the value.
            output.push(character as u8);
        } else {
            let code = code_of_char(character).ok_or(CnsEncodeError::Unmappable { index, character })?;
            output.extend_from_slice(&code.to_bytes());
        }
    }
    Ok(output)
}

/// Parses `P-HHHH`: a decimal plane 1–19 and four hex digits.
fn parse_code(body: &str) -> Option<CnsCode> {
    let (plane, hex) = body.split_once('-')?;
    if plane.is_empty() || plane.len() > 2 || !plane.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    if hex.len() != 4 || !hex.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    let plane: u8 = plane.parse().ok()?;
    let row = u8::from_str_radix(hex.get(0..2)?, 16).ok()?;
    let column = u8::from_str_radix(hex.get(2..4)?, 16).ok()?;
    CnsCode::new(plane, row, column)
}
