//! The workspace's integration tests, one binary.

// Helpers shared by the modules below.
mod support;

// Derive macros on hand-written types: behaviour.
mod macros_derive;
// The `freedompay` command-line tool.
mod cli;
// Remote input never panics: malformed forms, XML and values give typed errors.
mod no_panics;
// Signing cases: documented vectors, nesting, ordering edge cases, XML.
mod signing;
// The client against a local HTTP server: the exact form sent, response parsing, timeouts.
mod client;
// The JSON protocol: documented headers, the detached JWS, X-Request-Id on retries, error envelopes.
mod json_client;
// Callbacks: verification of incoming messages and signed replies.
mod callbacks;
// Code generation: snapshots of the generated Rust, docs and schemas per endpoint.
mod codegen_output;
// Spec validation: the error messages for a corpus of bad spec files.
mod spec_errors;
// The maintainers' `codegen` command: finding the spec, generate and check.
mod codegen_cli;
// Every spec example runs through its generated type.
mod spec_examples;
// Properties: one-character changes break signatures, request types through the form, amounts.
mod properties;
// The rule for required fields of what the gateway sends, checked against every example.
mod required_fields;
// Reference data: the documentation's index, error codes, test cards; every callback.
mod reference_data;
// The sandbox gateway with the client and a merchant server: flows, rules, callbacks.
mod sandbox;
// The merchant's side of callbacks in axum: the extractor and signed replies.
mod axum_callbacks;
// Bounds on remote input: XML size and element count, response and callback bodies, slow drip.
mod bounds;
// A corpus of bad input, each row with its typed outcome pinned; replays included.
mod bad_input;
// No key, card number or CVC in the logs or a rendering of any value of a whole flow.
mod leaks;
// A payer in headless Chromium on the sandbox's payment page.
mod browser;
// Inputs the fuzz targets found to break the library.
mod fuzz_regressions;
// The seed corpus of the fuzz targets (ignored: run on purpose to rewrite it).
mod fuzz_seeds;
// The OpenAPI documents: every endpoint once at its method and path, every `$ref` resolves.
mod openapi;
