//! The upgrade advisor's speed. Run with `cargo bench --bench advise`; figures in BENCHMARKS.md.
//!
//! Advice for the next class (with three alternatives, as `ocop advise` gives it) on generated
//! sheets of every shipped form (`SheetGenerator`), one sheet at a time; the same for the plan
//! alone, and for councils of three.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use ocop_rating::advise::AdviseOptions;
use ocop_rating::generate::SheetGenerator;
use ocop_rating::{Catalog, Form, Sheet};

const SHEETS: usize = 1024;

fn catalog() -> Catalog {
    Catalog::embedded().unwrap_or_else(|e| panic!("{e}"))
}

/// `SHEETS` sheets, drawn round-robin over every shipped form.
fn sheets(forms: &[&'static Form], members: usize) -> Vec<Vec<Sheet<'static>>> {
    let mut g = SheetGenerator::new(2026);
    (0..SHEETS).map(|i| (0..members).map(|_| g.sheet(forms[i % forms.len()])).collect()).collect()
}

fn advise(c: &mut Criterion) {
    let catalog: &'static Catalog = Box::leak(Box::new(catalog()));
    let forms: Vec<&'static Form> = catalog.forms().collect();
    let single = sheets(&forms, 1);
    let councils = sheets(&forms, 3);
    let plan_only = AdviseOptions { alternatives: 0, ..AdviseOptions::default() };
    let with_alternatives = AdviseOptions::default();
    let mut group = c.benchmark_group(format!("advise, every shipped form ({} forms)", forms.len()));
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("next class + 3 alternatives, one sheet", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            let s = &single[i];
            black_box(s[0].form().advise_with(black_box(s), &with_alternatives).map(|a| a.plan.is_some()))
        })
    });
    group.bench_function("next class, plan only, one sheet", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            let s = &single[i];
            black_box(s[0].form().advise_with(black_box(s), &plan_only).map(|a| a.plan.is_some()))
        })
    });
    group.bench_function("next class + 3 alternatives, council of 3", |b| {
        b.iter(|| {
            i = (i + 1) % SHEETS;
            let s = &councils[i];
            black_box(s[0].form().advise_with(black_box(s), &with_alternatives).map(|a| a.plan.is_some()))
        })
    });
    group.finish();
}

criterion_group!(benches, advise);
criterion_main!(benches);
