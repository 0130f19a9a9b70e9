//! A host builtin that does outside work asynchronously, under tokio: `inventory.stock NAME`
//! asks a (simulated) remote service, which answers after a delay. The evaluation is awaited
//! as a future on a single-threaded runtime; while it waits for an answer the thread is not
//! blocked: a ticker task on the same thread keeps running. Builtins given as Nix source sit
//! beside the native one, under the same path.
//!
//! `cargo run --example async_host`

use gnix::builtins::NixBuiltin;
use gnix::errors::Error;
use gnix::value::{Builtin, Value};
use gnix::vm::request::{Co, force, wait};
use gnix::{Engine, Settings};
use std::cell::Cell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// The remote service: answers a stock query after a delay, as a network would.
#[derive(Clone)]
struct Inventory(Arc<HashMap<&'static str, i64>>);

impl Inventory {
    async fn stock(&self, item: String) -> Result<i64, Error> {
        tokio::time::sleep(Duration::from_millis(20)).await;
        match self.0.get(item.as_str()) {
            Some(n) => Ok(*n),
            None => Err(Error::new(format!("the inventory has no item '{item}'"))),
        }
    }
}

/// `inventory.stock NAME`: forces the name, then waits for the service without blocking.
fn stock_builtin(inventory: Inventory) -> Builtin {
    Builtin::from_async(
        "inventory.stock",
        &["name"],
        &[false],
        move |co: Co, args: Vec<Value>| {
            let inventory = inventory.clone();
            async move {
                let name = match force(&co, args[0].clone()).await {
                    Value::String(s) => s.to_str_lossy().into_owned(),
                    _ => return Err(Error::new("inventory.stock: expected a string")),
                };
                wait(
                    &co,
                    async move { inventory.stock(name).await.map(Value::Int) },
                )
                .await
            }
        },
    )
    .top_level()
}

const ORDER: &str = r#"
  let
    wanted = { apples = 3; pears = 10; plums = 1; };
    short = builtins.filter (item: inventory.stock item < wanted.${item}) (builtins.attrNames wanted);
  in { inherit short; total = inventory.sum (builtins.attrNames wanted); }
"#;

fn main() {
    let inventory = Inventory(Arc::new(HashMap::from([
        ("apples", 12),
        ("pears", 4),
        ("plums", 0),
    ])));
    let engine = Engine::new(Settings::default())
        .with_builtins(move || vec![stock_builtin(inventory.clone())])
        .with_nix_builtins([NixBuiltin::new(
            "inventory.sum",
            "names: builtins.foldl' (n: name: n + builtins.inventory.stock name) 0 names",
        )]);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    let ticks = Rc::new(Cell::new(0u32));
    let (short, total) = runtime.block_on(async {
        let mut ev = engine.evaluation();
        let done = Cell::new(false);
        // Another task on the same thread: it runs while the evaluation waits.
        let ticker = async {
            while !done.get() {
                tokio::time::sleep(Duration::from_millis(2)).await;
                ticks.set(ticks.get() + 1);
            }
        };
        let evaluation = async {
            let order = ev.start_expr(ORDER, Path::new("/")).expect("parses").await;
            let order = order.and_then(|v| {
                let short = ev.attr(&v, "short")?.expect("short");
                let short = ev.start_deep_force(short);
                Ok((v, short))
            });
            let result = match order {
                Ok((v, short)) => match short.await {
                    Ok(short) => Ok((v, short)),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            done.set(true);
            result
        };
        let (result, ()) = tokio::join!(evaluation, ticker);
        let (order, short) = result.unwrap_or_else(|e| panic!("{}", e.render(false)));
        let short = gnix::print::print_value(&short);
        let total = ev.attr(&order, "total").expect("forces").expect("total");
        let total = ev.start_force(total).await.expect("sums");
        (short, ev.as_int(&total).expect("an integer"))
    });
    println!(
        "short of: {short}; in stock: {total}; ticks while waiting: {}",
        ticks.get()
    );
    assert_eq!(short, r#"[ "pears" "plums" ]"#);
    assert_eq!(total, 16);
    // Three lookups of 20 ms each: the ticker ran in between.
    assert!(ticks.get() > 5, "the thread was blocked");
}

#[test]
fn runs() {
    main();
}
