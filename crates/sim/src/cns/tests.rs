use super::*;

fn code(plane: u8, row: u8, column: u8) -> CnsCode {
    CnsCode::new(plane, row, column).expect("valid code")
}

#[test]
fn encodes_ascii_as_bytes() {
    assert_eq!(encode_cns_text("Wang-1 A~").unwrap(), b"Wang-1 A~".to_vec());
}

#[test]
fn encodes_name_with_extension_b() {
    // 王 1-455E, 𠀋 (U+2000B) 3-2144, 一 1-4421.
    assert_eq!(
        encode_cns_text("王𠀋 一").unwrap(),
        vec![0x01, 0x45, 0x5e, 0x03, 0x21, 0x44, 0x20, 0x01, 0x44, 0x21]
    );
}

#[test]
fn encodes_private_use_character() {
    // The 全字庫 plane-15 table maps 15-2273 to U+FFFEE.
    assert_eq!(encode_cns_text("\u{FFFEE}").unwrap(), vec![0x0f, 0x22, 0x73]);
}

#[test]
fn prefers_lowest_plane() {
    assert_eq!(char_of_code(code(3, 0x65, 0x3a)), Some('\u{6BF5}'));
    assert_eq!(char_of_code(code(15, 0x3c, 0x3c)), Some('\u{6BF5}'));
    assert_eq!(code_of_char('\u{6BF5}'), Some(code(3, 0x65, 0x3a)));
    assert_eq!(code_of_char('\u{71B4}'), Some(code(3, 0x65, 0x5c)));
    assert_eq!(encode_cns_text("\u{6BF5}").unwrap(), vec![0x03, 0x65, 0x3a]);
}

#[test]
fn escapes_write_codes_as_given() {
    assert_eq!(encode_cns_text("{15-2121}").unwrap(), vec![0x0f, 0x21, 0x21]);
    assert_eq!(
        encode_cns_text("a{16-2121}b").unwrap(),
        vec![b'a', 0x10, 0x21, 0x21, b'b']
    );
    assert_eq!(encode_cns_text("{3-653a}").unwrap(), vec![0x03, 0x65, 0x3a]);
    assert_eq!(encode_cns_text("{15-3C3C}").unwrap(), vec![0x0f, 0x3c, 0x3c]);
    assert_eq!(encode_cns_text("{01-4421}").unwrap(), vec![0x01, 0x44, 0x21]);
}

#[test]
fn double_brace_is_literal() {
    assert_eq!(encode_cns_text("{{x}").unwrap(), b"{x}".to_vec());
    assert_eq!(encode_cns_text("}").unwrap(), b"}".to_vec());
}

#[test]
fn rejects_invalid_escapes() {
    let cases = [
        ("{", 0, "{"),
        ("ab{1-4421", 2, "{1-4421"),
        ("{0-2121}", 0, "{0-2121}"),
        ("{20-2121}", 0, "{20-2121}"),
        ("{1-2021}", 0, "{1-2021}"),
        ("{1-447F}", 0, "{1-447F}"),
        ("{1-44211}", 0, "{1-44211}"),
        ("{1_4421}", 0, "{1_4421}"),
        ("{}", 0, "{}"),
        ("王{+1-4421}", 1, "{+1-4421}"),
        ("{123-4421}", 0, "{123-4421"),
        ("{1-4421 and more}", 0, "{1-4421 a"),
        ("{1-442G}", 0, "{1-442G}"),
        ("{١-4421}", 0, "{١-4421}"),
    ];
    for (input, index, text) in cases {
        assert_eq!(
            encode_cns_text(input),
            Err(CnsEncodeError::InvalidEscape {
                index,
                text: text.to_string()
            }),
            "{input}"
        );
    }
}

#[test]
fn rejects_unmappable_character() {
    let error = encode_cns_text("王明\n").unwrap_err();
    assert_eq!(
        error,
        CnsEncodeError::Unmappable {
            index: 2,
            character: '\n'
        }
    );
    assert_eq!(
        error.to_string(),
        "character '\\n' (U+000A) at index 2 has no CNS 11643 code"
    );

    let error = encode_cns_text("a\u{1F600}").unwrap_err();
    assert_eq!(
        error,
        CnsEncodeError::Unmappable {
            index: 1,
            character: '\u{1F600}'
        }
    );
    assert!(error.to_string().contains("U+1F600"), "{error}");
}

#[test]
fn invalid_escape_message_names_index() {
    let error = encode_cns_text("ab{1-21}").unwrap_err();
    assert!(
        error.to_string().starts_with("invalid CNS code \"{1-21}\" at index 2:"),
        "{error}"
    );
}

#[test]
fn table_has_all_entries() {
    assert_eq!(mapped_codes().count(), 108_601);
    assert_eq!(char_of_code(code(16, 0x21, 0x21)), None);
    assert_eq!(char_of_code(code(18, 0x7e, 0x7e)), None);
    assert_eq!(char_of_code(code(1, 0x44, 0x21)), Some('一'));
}

#[test]
fn every_mapped_character_encodes() {
    let mut preferred: HashMap<char, CnsCode> = HashMap::new();
    for (code, character) in mapped_codes() {
        preferred.entry(character).or_insert(code);
    }
    for (character, code) in preferred {
        // A brace starts a code, so a literal one is written twice.
        let input = if character == '{' {
            "{{".to_string()
        } else {
            character.to_string()
        };
        let encoded = encode_cns_text(&input).unwrap();
        if (' '..='~').contains(&character) {
            assert_eq!(encoded, vec![character as u8]);
        } else {
            assert_eq!(encoded, code.to_bytes().to_vec(), "{character:?}");
        }
    }
}

#[test]
fn code_formats_as_cns_notation() {
    assert_eq!(code(1, 0x44, 0x21).to_string(), "1-4421");
    assert_eq!(code(15, 0x21, 0x2a).to_string(), "15-212A");
    assert_eq!(CnsCode::new(0, 0x21, 0x21), None);
    assert_eq!(CnsCode::new(20, 0x21, 0x21), None);
    assert_eq!(CnsCode::new(1, 0x7f, 0x21), None);
}

#[test]
fn any_input_returns_without_panic() {
    // Every prefix and one-character mutation of some escapes, plus the whole BMP.
    let seeds = ["{15-2121}", "{{1-4421}}", "{1-44", "a{19-7E7E}b", "{99-FFFF}", "{-}"];
    let replacements = ['{', '}', '-', '0', 'F', 'g', '王', '\u{10FFFF}', '\0'];
    for seed in seeds {
        let characters: Vec<char> = seed.chars().collect();
        for end in 0..=characters.len() {
            let prefix: String = characters.iter().take(end).collect();
            let _ = encode_cns_text(&prefix);
            for position in 0..end {
                for replacement in replacements {
                    let mut mutated = characters.clone();
                    if let Some(slot) = mutated.get_mut(position) {
                        *slot = replacement;
                    }
                    let _ = encode_cns_text(&mutated.iter().collect::<String>());
                }
            }
        }
    }
    let all: String = (0u32..=0xffff).filter_map(char::from_u32).collect();
    assert!(encode_cns_text(&all).is_err());
}
