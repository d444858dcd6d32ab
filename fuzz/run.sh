#!/usr/bin/env bash
# Runs every fuzz target for a bounded time and exits non-zero if any target finds a crash.
# Usage: fuzz/run.sh [SECONDS]   (seconds per target, default 60)
# Needs cargo-fuzz (`cargo install cargo-fuzz`); runs on stable Rust without a sanitizer.
set -euo pipefail

seconds="${1:-60}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "run.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz" >&2
    exit 2
fi

for target in $(cargo fuzz list); do
    corpus="corpus/$target"
    mkdir -p "$corpus"
    # Seed each run with the policy documents the tests use, and the catalog target with a
    # slice of the catalog and a few action patterns.
    cp ../crates/policy/tests/policies/*/*.json "$corpus/"
    if [[ "$target" == "catalog" ]]; then
        head -c 4000 ../crates/catalog/data/catalog.tsv > "$corpus/catalog-head.tsv"
        printf 's3:Get*' > "$corpus/pattern-s3"
        printf '*:Describe*' > "$corpus/pattern-describe"
    fi
    echo "fuzzing $target for ${seconds}s"
    cargo fuzz run --sanitizer none "$target" "$corpus" -- \
        -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1
done
echo "no crashes"
