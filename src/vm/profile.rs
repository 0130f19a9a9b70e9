//! The evaluation profiler: samples of the Nix call stack, written as `flamegraph.pl` reads
//! them (`--eval-profiler flamegraph`, as current C++ Nix has it).
//!
//! A sample is the calls under way, outermost first: lambdas (where each was called from, and
//! its name when it was bound to one), builtins (`primop foldl'`) and calls of sets with
//! `__functor`, each written as C++ Nix writes it (`file:line:col:name`). Thunks being forced
//! are not calls and are not in it, as in C++ Nix.
//!
//! **Where samples are taken.** C++ Nix samples in a hook on every function call, which reads
//! the clock. gnix samples where calls, forces and resumed builtins check their limits
//! (`Vm::interrupted`): while profiling, each of them comes to `Vm::checkpoint`, which reads the
//! clock and takes a sample once a period has passed (the limits and the collector still have
//! their turn every 16 384 operations). Not profiling, nothing is added to those paths. A
//! sample counts the periods passed since the last one, so time where no check comes (a long
//! native `sort`, a collection of cycles) is counted in the stack that makes the next check,
//! which is the builtin's own when it asks for a value next. A period of zero samples every
//! check: a deterministic profile (counts of calls, forces and resumptions), for tests.
//!
//! Calls that `vm::speculate` computed ahead of need run without a frame and count towards
//! their caller; calls in tail position would replace their caller's frame, so the CLI turns
//! tail calls off while profiling, as it does for `--show-trace`, and each call keeps its frame.

use super::Vm;
use super::frames::{CodeFrame, Frame};
use crate::errors::{SourceMap, Span};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::time::{Duration, Instant};

/// One call in a sample.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Call {
    /// A lambda, called at `site` (unknown when a builtin called it, then the lambda's own
    /// place stands in, as in C++ Nix), named when it was bound to a name.
    Lambda {
        site: Option<Span>,
        lambda: Span,
        name: Option<SmolStr>,
    },
    Builtin {
        site: Option<Span>,
        name: &'static str,
    },
    Functor {
        site: Option<Span>,
    },
}

/// The samples an evaluation has taken: how many times each stack was seen.
pub struct Profile {
    /// How long a sampling period is (zero: every checkpoint).
    period: Duration,
    /// When the last sample was taken (the first period starts with the first run).
    last: Option<Instant>,
    samples: FxHashMap<Box<[Call]>, u64>,
}

impl Profile {
    /// An empty profile that samples once per `period`.
    pub(crate) fn new(period: Duration) -> Profile {
        Profile {
            period,
            last: None,
            samples: FxHashMap::default(),
        }
    }

    /// Sets the sampling period for the samples to come.
    pub(crate) fn set_period(&mut self, period: Duration) {
        self.period = period;
    }

    /// How many sampling periods have passed since the last sample (0: none is due), and the
    /// start of the next period if one is.
    fn due(&mut self, now: Instant) -> u64 {
        let Some(last) = self.last else {
            self.last = Some(now);
            return u64::from(self.period.is_zero());
        };
        if self.period.is_zero() {
            return 1;
        }
        let elapsed = now.saturating_duration_since(last);
        let periods = elapsed.as_nanos() / self.period.as_nanos();
        if periods > 0 {
            self.last = Some(now);
        }
        u64::try_from(periods).unwrap_or(u64::MAX)
    }

    fn add(&mut self, stack: Vec<Call>, weight: u64) {
        let count = self.samples.entry(stack.into_boxed_slice()).or_default();
        *count = count.saturating_add(weight);
    }

    /// The samples as `flamegraph.pl` reads them: one line per stack seen, its calls from the
    /// outermost joined by `;`, a space and the count. Lines are sorted, so a profile of a
    /// deterministic run (a period of zero) is the same text every time.
    pub(crate) fn render(&self, sources: &SourceMap) -> String {
        let mut lines: Vec<String> = self
            .samples
            .iter()
            .map(|(stack, count)| {
                let calls: Vec<String> = stack.iter().map(|c| c.render(sources)).collect();
                format!("{} {count}\n", calls.join(";"))
            })
            .collect();
        lines.sort_unstable();
        lines.concat()
    }

    /// Forgets the samples taken so far.
    pub(crate) fn clear(&mut self) {
        self.samples.clear();
    }
}

impl Call {
    /// As C++ Nix writes it: `file:line:col:name` for a named lambda (`file:line:col` for an
    /// anonymous one), `file:line:col:primop name`, `file:line:col:functor`; a call whose site
    /// is unknown is written without it (a builtin) or at the lambda's own place.
    fn render(&self, sources: &SourceMap) -> String {
        match self {
            Call::Lambda { site, lambda, name } => {
                let at = sources.position(site.unwrap_or(*lambda));
                match name {
                    Some(n) => format!("{at}:{n}"),
                    None => at,
                }
            }
            Call::Builtin { site, name } => match site {
                Some(s) => format!("{}:primop {name}", sources.position(*s)),
                None => format!("primop {name}"),
            },
            Call::Functor { site } => match site {
                Some(s) => format!("{}:functor", sources.position(*s)),
                None => "functor".to_string(),
            },
        }
    }
}

impl Vm<'_> {
    /// Takes a sample if one is due (called at checkpoints while profiling).
    pub(super) fn sample(&mut self) {
        let weight = match self.host.profile() {
            Some(p) => p.due(Instant::now()),
            None => return,
        };
        if weight == 0 {
            return;
        }
        let stack = self.calls_under_way();
        if stack.is_empty() {
            // No call under way (a file's top level): C++ Nix has no sample there either.
            return;
        }
        if let Some(p) = self.host.profile() {
            p.add(stack, weight);
        }
    }

    /// The calls the frame stack holds, outermost first.
    fn calls_under_way(&self) -> Vec<Call> {
        let mut calls = Vec::new();
        for (i, frame) in self.frames.iter().enumerate() {
            let call = match frame {
                Frame::Code(f) if f.calls > 0 => {
                    lambda_call(f, i.checked_sub(1).map(|b| &self.frames[b]))
                }
                Frame::Gen(g) if g.calls > 0 => Some(Call::Builtin {
                    site: g.span,
                    name: g.name,
                }),
                Frame::Args(a) => Some(Call::Builtin {
                    site: a.span,
                    name: a.builtin.name,
                }),
                Frame::Loop(l) => Some(Call::Builtin {
                    site: l.span,
                    name: l.owner.name,
                }),
                Frame::Functor(site) => Some(Call::Functor { site: *site }),
                Frame::Code(_) | Frame::Gen(_) | Frame::Thunk(_) | Frame::Apply(_) => None,
            };
            calls.extend(call);
        }
        calls
    }
}

/// A lambda's call, for the frame running its body: called where the frame below is (the
/// call op of a caller's code, or a builtin's call), or where the tail call that replaced its
/// caller was.
fn lambda_call(f: &CodeFrame, below: Option<&Frame>) -> Option<Call> {
    let name = f.chunk.lambda.as_ref()?;
    let site = match below {
        _ if f.site != Span::UNKNOWN => Some(f.site),
        Some(Frame::Code(caller)) => Some(caller.current_span()),
        Some(Frame::Gen(g)) => g.span,
        Some(Frame::Args(a)) => a.span,
        Some(Frame::Loop(l)) => l.span,
        Some(Frame::Apply(a)) => a.span,
        Some(Frame::Functor(site)) => *site,
        Some(Frame::Thunk(_)) | None => None,
    };
    // `chunk.lambda` is what a trace calls it: `'f'`, or `anonymous lambda`.
    let name = name
        .strip_prefix('\'')
        .and_then(|n| n.strip_suffix('\''))
        .map(SmolStr::new);
    Some(Call::Lambda {
        site,
        lambda: f.chunk.span,
        name,
    })
}
