//! Lists the PC/SC readers and the card in each: `cargo run -p neweid-card --example list_readers`.

fn main() {
    match neweid_card::pcsc::list_readers() {
        Ok(readers) if readers.is_empty() => println!("no readers"),
        Ok(readers) => {
            for reader in readers {
                let atr = reader
                    .atr
                    .map(|atr| atr.iter().map(|b| format!("{b:02X}")).collect::<String>());
                println!(
                    "{}: card present {}, ATR {}",
                    reader.name,
                    reader.card_present,
                    atr.unwrap_or_default()
                );
            }
        }
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(1);
        }
    }
}
