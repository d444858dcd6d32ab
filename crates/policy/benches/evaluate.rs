//! Benchmarks of policy compilation and request evaluation.

fn main() {}
