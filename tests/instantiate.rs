//! gnix named `nix-instantiate` (a symlink to the binary): instantiating derivations, sets and
//! lists of them, writing `.drv` files under a directory store, `--eval`, and usage errors.
//! The paths expected here are the ones C++ Nix 2.8's `nix-instantiate --readonly-mode
//! --store dummy://` printed for the same expressions.

use pretty_assertions::assert_eq;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const GNIX: &str = env!("CARGO_BIN_EXE_gnix");

/// A derivation, its `.drv` path as C++ Nix 2.8 prints it.
const DRV_A: &str = r#"(derivation { name = "a"; builder = "/bin/sh"; system = "x86_64-linux"; })"#;
const PATH_A: &str = "/nix/store/7g5giqf764p3y3zv7a8rqsy9sqqq5kw4-a.drv";

/// A derivation with two outputs, `dev` first: its line ends in `!dev`.
const DRV_B: &str = r#"(derivation { name = "b"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = [ "dev" "out" ]; })"#;
const PATH_B: &str = "/nix/store/32qwkp0jp7pkwqrn27a9adr3zq853wjd-b.drv";

/// A derivation depending on `DRV_A` and on a `toFile` source.
const DRV_T: &str = r#"(derivation { name = "t"; builder = "/bin/sh"; system = "x86_64-linux"; dep = (derivation { name = "a"; builder = "/bin/sh"; system = "x86_64-linux"; }); src = builtins.toFile "t.txt" "hi"; })"#;
const PATH_T: &str = "/nix/store/hdix65dd0v48n6h9h7c8yf8kgnaxin83-t.drv";

/// `nix-instantiate`: a symlink so named to the built binary, made once.
fn nix_instantiate() -> &'static Path {
    static LINK: OnceLock<PathBuf> = OnceLock::new();
    LINK.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("instantiate-bin");
        fs::create_dir_all(&dir).expect("make the link's folder");
        let link = dir.join("nix-instantiate");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(GNIX, &link).expect("link nix-instantiate to gnix");
        link
    })
}

fn run(args: &[&str]) -> Output {
    Command::new(nix_instantiate())
        .args(args)
        .env_remove("NIX_STORE_DIR")
        .output()
        .expect("cannot run nix-instantiate")
}

/// Asserts the exit status and returns stdout.
fn expect_status(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn instantiate(expr: &str) -> String {
    expect_status(&run(&["--readonly-mode", "-E", expr]), 0)
}

/// What `gnix eval` gives for `expr`, without its newline.
fn gnix_eval(args: &[&str]) -> String {
    let out = Command::new(GNIX)
        .arg("eval")
        .args(args)
        .output()
        .expect("cannot run gnix");
    expect_status(&out, 0).trim_end().to_string()
}

#[test]
fn a_derivation_prints_its_drv_path() {
    assert_eq!(instantiate(DRV_A), format!("{PATH_A}\n"));
    let own = gnix_eval(&["-E", &format!("{DRV_A}.drvPath")]);
    assert_eq!(own, format!("\"{PATH_A}\""));
    let out = run(&["--readonly-mode", "-E", DRV_A]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "warning: you did not specify '--add-root'; the result might be removed by the garbage collector\n"
    );
}

#[test]
fn a_set_gives_its_derivations_and_those_of_sets_marked_for_recursion() {
    let expr = format!(
        "{{ x = {DRV_A}; y = {{ recurseForDerivations = true; z = {DRV_B}; }}; w = {{ q = {DRV_T}; }}; n = 1; f = _: {DRV_T}; }}"
    );
    assert_eq!(instantiate(&expr), format!("{PATH_A}\n{PATH_B}!dev\n"));
    // Without recurseForDerivations the inner set is not searched.
    assert_eq!(instantiate(&format!("{{ w = {{ q = {DRV_T}; }}; }}")), "");
    // One derivation under two names is printed once; names that are not identifiers are
    // skipped; attributes go in name order.
    let expr = format!("rec {{ b = {DRV_T}; a = {DRV_A}; c = a; \"x y\" = {DRV_B}; }}");
    assert_eq!(instantiate(&expr), format!("{PATH_A}\n{PATH_T}\n"));
}

#[test]
fn a_list_gives_each_element_and_nested_lists() {
    let expr = format!("[ {DRV_A} [ {DRV_T} ] {{ x = {DRV_B}; }} ]");
    assert_eq!(
        instantiate(&expr),
        format!("{PATH_A}\n{PATH_T}\n{PATH_B}!dev\n")
    );
    assert_eq!(instantiate("[ ]"), "");
}

#[test]
fn selection_and_arguments_apply() {
    let expr = format!("{{ x ? 1 }}: {{ a = {DRV_A}; t = if x == 2 then {DRV_T} else 0; }}");
    let out = run(&["--readonly-mode", "-E", &expr, "-A", "t", "--arg", "x", "2"]);
    assert_eq!(expect_status(&out, 0), format!("{PATH_T}\n"));
}

#[test]
fn values_without_derivations_are_errors() {
    for expr in ["1", "[ (_: 1) ]", "{ x = { type = \"derivation\"; }; }"] {
        let out = run(&["--readonly-mode", "-E", expr]);
        expect_status(&out, 1);
    }
    let out = run(&["-E", "1"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: expression does not evaluate to a derivation (or a set or list of those)\n"
    );
}

#[test]
fn a_directory_store_gets_the_drv_files() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("instantiate-store");
    // The files are read-only, as in a store; their folders are not.
    let _ = fs::remove_dir_all(&root);
    let root_s = root.to_string_lossy().into_owned();
    let out = run(&["--store", &root_s, "-E", DRV_T]);
    assert_eq!(expect_status(&out, 0), format!("{PATH_T}\n"));
    // The file holds the ATerm text (as C++ Nix 2.8 wrote it with `--store DIR`), and the input
    // derivation and the `toFile` source are written too.
    let drv = fs::read_to_string(format!("{root_s}{PATH_T}")).expect("t.drv written");
    assert_eq!(
        drv,
        r#"Derive([("out","/nix/store/kbqd8i48ikrcx2c2mvcgmnxv9cczl5x5-t","","")],[("/nix/store/7g5giqf764p3y3zv7a8rqsy9sqqq5kw4-a.drv",["out"])],["/nix/store/bx0kc66p03368r5plk2sji4a39h20ymp-t.txt"],"x86_64-linux","/bin/sh",[],[("builder","/bin/sh"),("dep","/nix/store/f37kxm5wf98b2s839zaiybv38zil0s40-a"),("name","t"),("out","/nix/store/kbqd8i48ikrcx2c2mvcgmnxv9cczl5x5-t"),("src","/nix/store/bx0kc66p03368r5plk2sji4a39h20ymp-t.txt"),("system","x86_64-linux")])"#
    );
    assert!(Path::new(&format!("{root_s}{PATH_A}")).is_file());
    let text = fs::read_to_string(format!(
        "{root_s}/nix/store/bx0kc66p03368r5plk2sji4a39h20ymp-t.txt"
    ));
    assert_eq!(text.expect("toFile's file written"), "hi");
    // `local?root=DIR` is the same store; again, the files already there are left.
    let out = run(&["--store", &format!("local?root={root_s}"), "-E", DRV_T]);
    assert_eq!(expect_status(&out, 0), format!("{PATH_T}\n"));
    // NIX_STORE_DIR is the store directory itself.
    let dir = root.join("store-dir");
    let out = Command::new(nix_instantiate())
        .args(["-E", DRV_A])
        .env("NIX_STORE_DIR", &dir)
        .output()
        .expect("cannot run nix-instantiate");
    let path = expect_status(&out, 0);
    let path = path.trim_end();
    assert!(path.starts_with(&*dir.to_string_lossy()), "{path}");
    assert!(Path::new(path).is_file());
}

#[test]
fn read_only_and_dummy_stores_write_nothing() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("instantiate-nothing");
    let _ = fs::remove_dir_all(&root);
    let root_s = root.to_string_lossy().into_owned();
    expect_status(
        &run(&["--readonly-mode", "--store", &root_s, "-E", DRV_A]),
        0,
    );
    expect_status(&run(&["--store", "dummy://", "-E", DRV_A]), 0);
    assert!(!root.exists());
}

#[test]
fn eval_mode_is_gnix_eval() {
    let expr = "{ a = [ 1 \"x\" ]; b.c = 2; }";
    for flags in [&["--strict"][..], &["--json"], &["--xml"], &[]] {
        let mut args = vec!["--eval", "-E", expr];
        args.extend_from_slice(flags);
        let mut eval = vec!["-E", expr];
        eval.extend_from_slice(flags);
        assert_eq!(
            expect_status(&run(&args), 0).trim_end(),
            gnix_eval(&eval),
            "{flags:?}"
        );
    }
}

#[test]
fn nixpkgs_module_tests_invocation() {
    // As nixpkgs' lib/tests/modules.sh calls it.
    let out = run(&[
        "--timeout",
        "1",
        "--eval-only",
        "--show-trace",
        "--read-write-mode",
        "--json",
        "--strict",
        "-E",
        "{ config = { a = 1; b = [ true ]; }; }",
        "-A",
        "config",
    ]);
    assert_eq!(expect_status(&out, 0), "{\"a\":1,\"b\":[true]}\n");
}

#[test]
fn usage_help_and_version() {
    let out = run(&["--bogus"]);
    expect_status(&out, 2);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: unrecognised flag '--bogus'\nTry 'nix-instantiate --help' for more information.\n"
    );
    assert!(expect_status(&run(&["--help"]), 0).starts_with("usage: nix-instantiate"));
    assert_eq!(
        expect_status(&run(&["--version"]), 0),
        concat!("nix-instantiate (gnix) ", env!("CARGO_PKG_VERSION"), "\n")
    );
    expect_status(&run(&["/nonexistent/default.nix"]), 1);
    expect_status(&run(&["--store", "daemon", "-E", DRV_A]), 1);
}

#[test]
fn add_root_links_each_derivation_when_writing() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("instantiate-roots");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("make the roots' folder");
    let (store, root) = (dir.join("store"), dir.join("root"));
    let (store, root) = (store.to_string_lossy(), root.to_string_lossy());
    let expr = format!("[ {DRV_A} {DRV_B} ]");
    let args = [
        "--store",
        &store,
        "--add-root",
        &root,
        "--indirect",
        "-E",
        &expr,
    ];
    let out = run(&args);
    // As C++ Nix 2.8 prints and links them with `--store DIR`; no warning.
    assert_eq!(expect_status(&out, 0), format!("{root}\n{root}-2!dev\n"));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let link = fs::read_link(&*root).expect("root made");
    assert_eq!(link, Path::new(PATH_A));
    let link = fs::read_link(format!("{root}-2")).expect("second root made");
    assert_eq!(link, Path::new(PATH_B));
    // Without a store to write to, the paths themselves are printed.
    let out = run(&["--readonly-mode", "--add-root", &root, "-E", DRV_A]);
    assert_eq!(expect_status(&out, 0), format!("{PATH_A}\n"));
}
