//! # ocop-rating
//!
//! Scores Vietnamese OCOP ("Mỗi xã một sản phẩm") products against the official criteria and
//! gives each a star class (1–5) with an audit trace that a council secretary, an inspector or
//! a court can follow line by line.
//!
//! The criteria of each decision (1048/QĐ-TTg of 2019 as amended by 781/QĐ-TTg, 148/QĐ-TTg of
//! 2023, 26/2026/QĐ-TTg) are data: versioned YAML rule files, one per product set, compiled into
//! the library and validated when loaded. Adding a superseding decision is adding YAML files.
//!
//! The stages, each with its own module and error type:
//!
//! 1. **parse** rule files ([`CatalogBuilder`]) and assessments ([`Assessment`]), reporting every
//!    problem at once with file, line, column and document path ([`Diagnostic`]);
//! 2. **validate and compile** rule files into immutable, `Send + Sync` scoring trees ([`Form`]);
//! 3. **evaluate**: [`Catalog::score`] or [`Form::score`] give an exact [`Outcome`] (integer
//!    hundredths inside, [`rust_decimal::Decimal`] outside, never floating point), and
//!    [`Form::trace`] the audit [`Trace`].
//!
//! ```
//! use ocop_rating::{Assessment, Catalog};
//!
//! let catalog = Catalog::embedded()?;               // the shipped decisions; forms compile on first use
//! let text = std::fs::read_to_string("examples/26-2026-01-rau-cai.yaml")?;
//! let assessment = Assessment::from_text("rau-cai.yaml", &text)?;
//! let scored = catalog.score(&assessment)?;
//! let outcome = scored.outcome();
//! println!("{} points, {} stars", outcome.total(), outcome.stars().unwrap_or(0));
//! for limit in outcome.limited_by() {
//!     println!("held down by {}: needs {}, got {}", limit.criterion.id(), limit.needed, limit.got);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The rule-file format is documented in `docs/rule-dsl.md`, assessments in
//! `docs/assessment.md`, regression cases in `docs/cases.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Diagnostics travel only on error paths, where their size costs nothing worth boxing for.
#![allow(clippy::result_large_err)]
// Input never panics the library: no unwrap, expect or panic outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod advise;
mod assessment;
mod award;
pub mod batch;
#[cfg(feature = "bulk")]
pub mod bulk;
pub mod cases;
mod catalog;
pub mod crosswalk;
mod date;
mod diag;
pub mod diff;
mod doc;
mod error;
mod form;
pub mod generate;
#[cfg(feature = "html")]
pub mod html;
mod json_fast;
mod json_sheet;
mod locate;
mod points;
mod read;
pub mod render;
pub mod report;
pub mod rescore;
#[cfg(feature = "bulk")]
pub mod round;
#[cfg(feature = "schema")]
pub mod schema;
mod score;
mod shared;
pub mod terminal;
mod timeline;
mod trace;
mod validate;
#[cfg(feature = "excel")]
pub mod xlsx;

pub use assessment::{Assessment, Scored};
pub use award::{Award, CertificateLife, CouncilSummary};
pub use catalog::{Catalog, CatalogBuilder};
pub use date::{Date, DateError};
pub use diag::{Diagnostic, DiagnosticKind, Severity, count as count_diagnostics, render_all};
pub use doc::{CriterionKind, StopScope};
pub use error::{AssessmentError, Error, Fault, LoadError};
pub use form::{
    Anomaly, AwardLevel, Band, CentralBelow, Choice, Criterion, Decision, Fact, Form, Grace, Knockout,
    Lifecycle, Minimum, MinimumOrigin, Part, ReRatingWindow, Requirement, Section, Stated, Stop, Transition,
};
pub use points::{Mean, Points};
pub use read::Limits;
/// The exact decimal of every figure the library gives out (points, totals, means): the
/// `rust_decimal` crate's, re-exported so that callers need not depend on it themselves.
pub use rust_decimal::Decimal;
pub use score::{Answer, AnswerError, Limit, Outcome, Sheet, Status, Stopped};
pub use shared::SharedCatalog;
pub use trace::{Cell, Trace, TraceLine};

/// The README's examples, run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
