//! Reads arbitrary text as catalog data, and expands it as an action pattern against the
//! built-in catalog. Neither may panic, whatever the input.

#![no_main]

use catalog::Catalog;
use libfuzzer_sys::fuzz_target;
use policy::ActionPattern;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(parsed) = Catalog::parse(text) {
        for action in parsed.all_actions() {
            let _ = action.full_name();
            let _ = action.resource_types().count();
            let _ = action.condition_keys().count();
        }
    }

    if let (Ok(pattern), Ok(builtin)) = (ActionPattern::new(text), Catalog::builtin()) {
        for action in builtin.expand(&pattern) {
            assert!(pattern.matches(&action.full_name()));
        }
    }
});
