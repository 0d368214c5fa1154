//! Runs `examples/service.rs` (a std-only scoring service with a hot swap) as a test: any of
//! its assertions that fails, in a worker thread or after, fails this test.

#[path = "../examples/service.rs"]
mod service;

#[test]
fn the_service_example_holds() {
    let seen = service::run();
    assert_eq!(seen.generation, 1);
    assert!(seen.ok > 0 && seen.input > 0, "{seen:?}");
}
