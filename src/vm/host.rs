//! What the VM needs from the evaluation around it, as one narrow interface. The VM owns frames
//! and values; everything else (loading and compiling files, the host's IO, store paths,
//! derivations made so far, source positions, settings) belongs to the evaluation, which
//! answers through `Host`. So the VM depends on no layer above it and can be driven, tested or
//! embedded with any host.

use super::request::{IoRequest, IoResponse, KnownDrv, StoreAnswer, StoreRequest};
use crate::errors::{Error, SourceMap};
use crate::settings::Settings;
use crate::value::Value;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub trait Host {
    /// The evaluation's settings.
    fn settings(&self) -> &Settings;
    /// The sources compiled so far (for positions in values and messages).
    fn sources(&self) -> &SourceMap;
    /// A file's value, unevaluated: compiled once and cached by path, optionally in an extra
    /// scope (`scopedImport`).
    fn import(&mut self, path: &Path, scope: Option<Value>) -> Result<Value, Error>;
    /// A question for the host's files and environment (refused as the settings say).
    fn io(&mut self, req: IoRequest) -> std::io::Result<IoResponse>;
    /// A file tree's hash or a path with its symlinks resolved, for store paths.
    fn store(&mut self, req: StoreRequest) -> Result<StoreAnswer, Error>;
    /// Remembers a derivation made in this evaluation.
    fn register_derivation(&mut self, drv_path: String, known: KnownDrv);
    /// A derivation made earlier in this evaluation.
    fn lookup_derivation(&self, drv_path: &str) -> Option<KnownDrv>;
    /// Writes a trace or warning line.
    fn trace(&mut self, line: &str);
    /// The flag another thread sets to stop the evaluation (`eval::CancelHandle`).
    fn cancel_flag(&self) -> &Arc<AtomicBool>;
    /// Where the profiler's samples go, while `Settings::profile_period` asks for them.
    fn profile(&mut self) -> Option<&mut super::profile::Profile>;
}
