#!/usr/bin/env bash
# Runs every fuzz target (policy parser and evaluator, action catalog, SigV4 header parser,
# protocol decoders) for a bounded time and exits non-zero if any target finds a crash.
# Usage: fuzz/run.sh [SECONDS]   (seconds per target, default 60)
# Needs cargo-fuzz (`cargo install cargo-fuzz`); runs on stable Rust without a sanitizer.
# libFuzzer's output goes to target/logs/TARGET.log; a failing target's tail is printed.
set -euo pipefail

seconds="${1:-60}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "run.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz" >&2
    exit 2
fi

mkdir -p target/logs
for target in $(cargo fuzz list); do
    corpus="corpus/$target"
    mkdir -p "$corpus"
    # Seed each run with the policy documents the tests use, and the catalog target with a
    # slice of the catalog and a few action patterns.
    cp ../crates/policy/tests/policies/*/*.json "$corpus/"
    if [[ "$target" == "sigv4" ]]; then
        printf 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261204/us-east-1/organizations/aws4_request, SignedHeaders=host;x-amz-date, Signature=%064d\n20261204T120000Z' 0 > "$corpus/valid-header"
    fi
    if [[ "$target" == "decode" ]]; then
        printf 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%%3Aaws%%3Aiam%%3A%%3A111122223333%%3Arole%%2FAdmin&RoleSessionName=s&Tags.member.1.Key=team&Tags.member.1.Value=red' > "$corpus/assume-role"
        printf '{"AccountId":"111122223333","MaxResults":20,"Tags":[{"Key":"k","Value":"v"}]}' > "$corpus/json-input"
    fi
    if [[ "$target" == "catalog" ]]; then
        head -c 4000 ../crates/catalog/data/catalog.tsv > "$corpus/catalog-head.tsv"
        printf 's3:Get*' > "$corpus/pattern-s3"
        printf '*:Describe*' > "$corpus/pattern-describe"
    fi
    log="target/logs/$target.log"
    echo "fuzzing $target for ${seconds}s (log: fuzz/$log)"
    if ! cargo fuzz run --sanitizer none "$target" "$corpus" -- \
        -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "run.sh: $target failed; the crashing input is under fuzz/artifacts/$target" >&2
        exit 1
    fi
    grep -h '^stat::number_of_executed_units' "$log" | sed "s/^/  /"
done
echo "no crashes"
