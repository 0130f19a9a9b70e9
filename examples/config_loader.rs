//! A program that uses Nix as its configuration language: it evaluates a configuration (here
//! given inline; a real program would call `eval_file`) and reads it into its own types with
//! serde. Only the attributes the types name are evaluated.
//!
//! `cargo run --example config_loader`

use gnix::convert::from_nix;
use gnix::{Evaluator, Settings};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct Config {
    listen: Vec<Listener>,
    workers: u32,
    #[serde(default)]
    motd: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Listener {
    address: String,
    port: u16,
}

const CONFIG: &str = r#"
let
  ports = [ 80 443 ];
  listen = address: map (port: { inherit address port; }) ports;
in {
  listen = listen "0.0.0.0" ++ listen "::";
  workers = 2 * 4;
  motd = null;
  # Never evaluated: the program's types do not name it.
  secrets = throw "the loader must not read this";
}
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut ev = Evaluator::new(Settings::default());
    let value = ev.eval_expr(CONFIG, Path::new("/"))?;
    let config: Config = from_nix(&mut ev, &value)?;
    assert_eq!((config.workers, config.listen.len()), (8, 4));
    println!("{} workers, motd: {:?}", config.workers, config.motd);
    for l in &config.listen {
        println!("listening on [{}]:{}", l.address, l.port);
    }
    Ok(())
}

/// `cargo test` runs the example too (`test = true` in Cargo.toml).
#[test]
fn runs() {
    main().expect("the example runs");
}
