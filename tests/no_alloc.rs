//! Scoring a sheet without the trace allocates nothing: counted with a global allocator.
//! (The library forbids unsafe code; this test binary needs it only to wrap the allocator.)

use ocop_rating::generate::SheetGenerator;
use ocop_rating::{CatalogBuilder, batch};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn scoring_without_trace_does_not_allocate() {
    let catalog = CatalogBuilder::new()
        .embedded()
        .dir("tests/fixtures/future")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut forms: Vec<_> = catalog.forms().collect();
    forms.retain(|f| f.leaf_count() > 0);
    assert!(!forms.is_empty());
    let mut g = SheetGenerator::new(3);
    for form in forms {
        let sheets: Vec<_> = (0..200).map(|_| g.sheet(form)).collect();
        let mut out = Vec::with_capacity(sheets.len());
        // Warm up, then count.
        batch::score_sheets_into(&sheets, &mut out);
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for sheet in &sheets {
            let outcome = form.score(sheet).unwrap_or_else(|e| panic!("{e}"));
            std::hint::black_box(outcome.band_stars());
        }
        batch::score_sheets_into(&sheets, &mut out);
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert_eq!(
            after - before,
            0,
            "{} allocations scoring set {} of {}",
            after - before,
            form.set(),
            form.decision().key()
        );
        // The trace allocates, by design (a vector of cells per sheet).
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let trace = form.trace(std::slice::from_ref(&sheets[0]), &[]).unwrap_or_else(|e| panic!("{e}"));
        std::hint::black_box(trace.outcome().band_stars());
        assert!(ALLOCATIONS.load(Ordering::Relaxed) > before);
    }
}
