//! Nix values read into Rust types through serde (`gnix::convert::from_nix`), forcing only what
//! the type reads.

use gnix::convert::from_nix;
use gnix::{Evaluator, Settings};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize, PartialEq)]
struct Server {
    host: String,
    port: u16,
    tls: Option<Tls>,
    weights: Vec<f64>,
    mode: Mode,
    limits: BTreeMap<String, u32>,
    #[serde(default)]
    debug: bool,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Tls {
    cert: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Fast,
    Limited { per_second: u32 },
}

fn read<T: serde::de::DeserializeOwned>(expr: &str) -> Result<T, String> {
    let mut ev = Evaluator::new(Settings::default());
    let v = ev
        .eval_expr(expr, Path::new("/"))
        .map_err(|e| e.message.clone())?;
    from_nix(&mut ev, &v).map_err(|e| e.message.clone())
}

#[test]
fn a_configuration_reads_into_structs() {
    let server: Server = read(
        r#"let base = 8000; in {
          host = "example.org";
          port = base + 443;
          tls = { cert = "/etc/cert.pem"; unused = throw "not read"; };
          weights = [ 1 0.5 ];
          mode = { limited = { per_second = 10 * 10; }; };
          limits = { cpu = 2; mem = 512; };
          comment = throw "unknown attributes are never evaluated";
        }"#,
    )
    .expect("reads");
    assert_eq!(
        server,
        Server {
            host: "example.org".into(),
            port: 8443,
            tls: Some(Tls {
                cert: "/etc/cert.pem".into()
            }),
            weights: vec![1.0, 0.5],
            mode: Mode::Limited { per_second: 100 },
            limits: [("cpu".to_string(), 2), ("mem".to_string(), 512)].into(),
            debug: false,
        }
    );
}

#[test]
fn null_unit_variants_and_tuples() {
    assert_eq!(read::<Option<u8>>("null"), Ok(None));
    assert_eq!(read::<Mode>(r#""fast""#), Ok(Mode::Fast));
    assert_eq!(
        read::<(i64, String)>(r#"[ 1 "a" ]"#),
        Ok((1, "a".to_string()))
    );
}

#[test]
fn wrong_shapes_and_failures_are_errors() {
    let e = read::<Server>(r#"{ host = 1; }"#).expect_err("host is no string");
    assert!(e.contains("invalid type"), "{e}");
    let e = read::<Tls>(r#"{ cert = throw "boom"; }"#).expect_err("the field throws");
    assert_eq!(e, "boom");
    let e = read::<u8>("x: x").expect_err("a function is no data");
    assert!(e.contains("cannot read"), "{e}");
    let e = read::<u8>("300").expect_err("out of range");
    assert!(e.contains("300"), "{e}");
}

#[derive(Debug, Deserialize)]
struct Fleet {
    #[allow(dead_code, reason = "read to check its errors, never looked at")]
    servers: Vec<Server>,
}

#[test]
fn an_error_says_where_in_the_value_and_points_at_the_source() {
    let mut ev = Evaluator::new(Settings::default());
    let source = r#"{
  servers = [
    { host = "a"; port = 80; weights = [ ]; mode = "fast"; limits = { }; }
    { host = "b";
      port = "8080";
      weights = [ ]; mode = "fast"; limits = { }; }
  ];
}"#;
    let v = ev.eval_expr(source, Path::new("/")).expect("a set");
    let e = from_nix::<Fleet>(&mut ev, &v).expect_err("a port is a string");
    assert!(e.message.contains("invalid type: string"), "{}", e.message);
    let at = e.location().expect("located");
    assert_eq!(at.line_col, Some((5, 7)), "the definition of `port`");
    // The path is a trace line (shown with --show-trace, as C++ Nix's context lines are).
    let rendered = e.render(true);
    assert!(
        rendered.contains("while reading 'servers[1].port'"),
        "{rendered}"
    );
    assert!(rendered.contains(r#"port = "8080";"#), "{rendered}");

    // An evaluation error keeps its own position and gets the path too.
    let v = ev
        .eval_expr(
            r#"{ servers = [ { host = throw "no host"; } ]; }"#,
            Path::new("/"),
        )
        .expect("a set");
    let e = from_nix::<Fleet>(&mut ev, &v).expect_err("throws");
    assert_eq!(e.message, "no host");
    assert!(e.render(true).contains("while reading 'servers[0].host'"));

    // A missing field points at the set it is missing from.
    let v = ev
        .eval_expr("{\n  servers = [ ];\n  extra = { };\n}", Path::new("/"))
        .expect("a set");
    from_nix::<Fleet>(&mut ev, &v).expect("an empty fleet");
    let v = ev
        .eval_expr("{ fleet = {\n  other = 1; }; }", Path::new("/"))
        .expect("a set");
    let fleet = ev.attr(&v, "fleet").expect("forced").expect("fleet");
    let e = from_nix::<Fleet>(&mut ev, &fleet).expect_err("no servers");
    assert!(
        e.message.contains("missing field `servers`"),
        "{}",
        e.message
    );
}

#[derive(Debug, serde::Serialize, Deserialize, PartialEq)]
struct Job {
    name: String,
    retries: Option<u8>,
    tags: Vec<String>,
    kind: Kind,
    env: BTreeMap<String, String>,
}

#[derive(Debug, serde::Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Once,
    Every(u32),
    Window { start: u32, end: u32 },
}

#[test]
fn rust_values_become_nix_values_and_back() {
    let job = Job {
        name: "backup".into(),
        retries: None,
        tags: vec!["nightly".into()],
        kind: Kind::Window { start: 1, end: 5 },
        env: [("HOME".to_string(), "/root".to_string())].into(),
    };
    let v = gnix::convert::to_nix(&job).expect("converts");
    assert_eq!(
        gnix::print::print_value(&v),
        r#"{ env = { HOME = "/root"; }; kind = { window = { end = 5; start = 1; }; }; name = "backup"; retries = null; tags = [ "nightly" ]; }"#
    );
    // A Nix function sees it as any set, and the result reads back.
    let mut ev = Evaluator::new(Settings::default());
    let f = ev
        .eval_expr(
            r#"job: job // { kind = { every = 60; }; tags = job.tags ++ [ "hourly" ]; }"#,
            Path::new("/"),
        )
        .expect("a function");
    let changed = ev.call(f, vec![v]).expect("runs");
    let back: Job = from_nix(&mut ev, &changed).expect("reads back");
    assert_eq!(back.kind, Kind::Every(60));
    assert_eq!(back.tags, ["nightly", "hourly"]);
    let once = gnix::convert::to_nix(&Kind::Once).expect("converts");
    assert_eq!(gnix::print::print_value(&once), "\"once\"");
}

#[test]
fn values_nix_cannot_hold_are_errors() {
    let e = gnix::convert::to_nix(&u64::MAX).expect_err("too large");
    assert!(e.message.contains("too large"), "{}", e.message);
    let e = gnix::convert::to_nix(&BTreeMap::from([(1, 2)])).expect_err("a number as a name");
    assert!(
        e.message.contains("attribute names are strings"),
        "{}",
        e.message
    );
}
