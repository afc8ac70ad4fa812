//! Command and response APDU codecs: no input panics, and a decoded
//! command encodes, in either length form, to bytes that decode to it again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use neweid_core::apdu::{CommandApdu, LengthForm, ResponseApdu};

fuzz_target!(|data: &[u8]| {
    if let Ok(command) = CommandApdu::decode(data) {
        for form in [LengthForm::Short, LengthForm::Extended] {
            let encoded = command.encode(form).expect("a decoded command encodes");
            let again = CommandApdu::decode(&encoded).expect("an encoded command decodes");
            assert_eq!(again, command, "round trip in {form:?} form");
        }
    }
    if let Ok(response) = ResponseApdu::decode(data) {
        assert_eq!(response.encode(), data, "response round trip");
    }
});
