//! A shared, swappable catalog for long-running services.
//!
//! A new set of rule files is built and validated off to the side, then swapped in atomically.
//! A failed reload keeps the current catalog and says why. Scorers hold an `Arc<Catalog>` for
//! as long as they work, so a swap never changes the rules under a score in flight.
//!
//! ```
//! use ocop_rating::{CatalogBuilder, SharedCatalog};
//! let shared = SharedCatalog::new(CatalogBuilder::new().embedded().build()?);
//! let before = shared.current();                 // a scorer's snapshot
//! let broken = CatalogBuilder::new().file("x", "x/decision.yaml", "decision: {}");
//! assert!(shared.reload(broken).is_err());       // the old catalog stays
//! assert!(std::sync::Arc::ptr_eq(&before, &shared.current()));
//! shared.reload(CatalogBuilder::new().embedded())?;
//! assert!(!std::sync::Arc::ptr_eq(&before, &shared.current()));
//! assert_eq!(shared.generation(), 1);
//! # Ok::<(), ocop_rating::LoadError>(())
//! ```

use crate::catalog::{Catalog, CatalogBuilder};
use crate::error::LoadError;
use std::sync::{Arc, RwLock};

/// A catalog that can be replaced while other threads score with it.
#[derive(Debug)]
pub struct SharedCatalog {
    current: RwLock<(Arc<Catalog>, u64)>,
}

impl SharedCatalog {
    /// Shares `catalog` (generation 0).
    pub fn new(catalog: Catalog) -> SharedCatalog {
        SharedCatalog { current: RwLock::new((Arc::new(catalog), 0)) }
    }

    /// The catalog in force now. Keep the `Arc` for the whole of a scoring job.
    pub fn current(&self) -> Arc<Catalog> {
        // A poisoned lock only means a panic elsewhere while swapping an Arc: the value is whole.
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        Arc::clone(&guard.0)
    }

    /// How many successful reloads there have been.
    pub fn generation(&self) -> u64 {
        self.current.read().unwrap_or_else(|p| p.into_inner()).1
    }

    /// Builds and validates a new catalog, then swaps it in. On error the current catalog stays
    /// and the error lists every problem.
    pub fn reload(&self, builder: CatalogBuilder) -> Result<u64, LoadError> {
        let catalog = Arc::new(builder.build()?);
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        guard.0 = catalog;
        guard.1 += 1;
        Ok(guard.1)
    }
}
