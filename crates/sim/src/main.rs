//! `neweid-sim`: puts a virtual New eID card into a vsmartcard vpcd reader,
//! so that pcscd and every PC/SC program see it, and keeps it there until
//! stopped. The npm package offers the same as `neweid sim`.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use neweid_sim::card::{CardOptions, VirtualCard};
use neweid_sim::persona::{self, Persona};
use neweid_sim::vpcd::{VpcdCard, DEFAULT_PORT};
use neweid_sim::CardBuilder;

/// Virtual New eID card for vsmartcard's vpcd (fictitious test data only).
#[derive(Parser)]
#[command(version)]
struct Arguments {
    /// Built-in persona (lin-mei-ling, chen-zhi-kun, huang-pua) or persona file.
    #[arg(long, default_value = persona::DEFAULT_PERSONA)]
    persona: String,

    /// vpcd host.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,

    /// vpcd port: 35963 is reader "Virtual PCD 00 00", 35964 "Virtual PCD 00 01".
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,

    /// Offer no extended-length APDUs.
    #[arg(long)]
    no_extended_length: bool,

    /// Standardised PACE domain parameter IDs to offer, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "13")]
    pace_parameters: Vec<u8>,
}

fn main() -> ExitCode {
    let arguments = Arguments::parse();
    let persona = match Persona::load(&arguments.persona) {
        Ok(persona) => persona,
        Err(error) => {
            eprintln!("neweid-sim: {error}");
            return ExitCode::from(2);
        }
    };
    let extended_length = !arguments.no_extended_length;
    let builder = CardBuilder::new(&persona);
    let content = match builder
        .pace_parameter_ids(&arguments.pace_parameters)
        .and_then(CardBuilder::build)
    {
        Ok(content) => content,
        Err(error) => {
            eprintln!("neweid-sim: {error}");
            return ExitCode::from(2);
        }
    };
    let options = CardOptions {
        extended_length,
        ..CardOptions::default()
    };
    let address = format!("{}:{}", arguments.host, arguments.port);
    let card = match VpcdCard::start(VirtualCard::new(content, options), &address) {
        Ok(card) => card,
        Err(error) => {
            eprintln!("neweid-sim: cannot start the vpcd connection to {address}: {error}");
            return ExitCode::FAILURE;
        }
    };

    // The connector retries on its own; report the first outcome and keep
    // reporting connection changes so that a log shows what happened.
    let mut connected = false;
    let mut reported_error = None;
    loop {
        let now = card.is_connected();
        if now != connected {
            connected = now;
            if connected {
                println!(
                    "neweid-sim: card of persona {} inserted into vpcd at {address}",
                    persona.id
                );
            } else {
                println!("neweid-sim: card removed from vpcd at {address}; reconnecting");
            }
        }
        let error = card.last_error();
        if !connected && error.is_some() && error != reported_error {
            eprintln!("neweid-sim: {}", error.clone().unwrap_or_default());
            reported_error = error;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
