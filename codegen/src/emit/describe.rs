//! Prose shared by the Rust docs and the Markdown pages, built from the IR.

use std::fmt::Write;

use crate::ir::{Endpoint, Enum, Field, Type};
use crate::spec::{ApiName, Completeness, Direction, Site};

/// Module name of an API.
pub fn api_module(api: ApiName) -> &'static str {
    match api {
        ApiName::Merchant => "merchant",
        ApiName::Gateway => "gateway",
        ApiName::Card => "card",
        ApiName::Partner => "partner",
    }
}

/// Title of an API, by module name.
pub fn api_title_by_module(module: &str) -> &'static str {
    match module {
        "merchant" => "Merchant",
        "gateway" => "Gateway",
        "card" => "Card",
        _ => "Partner",
    }
}

/// The site's hosts, from the core's table.
pub fn site(site: Site) -> freedompay_core::hosts::Site {
    match site {
        Site::Kz => freedompay_core::hosts::Site::Kz,
        Site::Kg => freedompay_core::hosts::Site::Kg,
        Site::Uz => freedompay_core::hosts::Site::Uz,
        Site::Money => freedompay_core::hosts::Site::Money,
    }
}

/// The completeness mark and its meaning.
pub fn completeness(c: Completeness) -> &'static str {
    match c {
        Completeness::Full => "F — request and response fully documented",
        Completeness::Mostly => "P+ — mostly documented; a list is cut off or a detail is missing",
        Completeness::Partly => {
            "P — partly documented; some fields, types or the response are missing"
        }
        Completeness::Stub => "S — only the path or a mention is documented",
    }
}

/// Type as shown in docs.
pub fn type_name(field: &Field) -> String {
    match &field.ty {
        Type::Enum { def, .. } => format!("enum `{}`", def.rust_name),
        Type::List { item_rust_name, .. } => format!("list of `{item_rust_name}`"),
        other => other.name().to_owned(),
    }
}

/// The constraints of a field in words (empty when none).
pub fn constraints(field: &Field) -> Vec<String> {
    let c = &field.constraints;
    let mut out = Vec::new();
    if let Some(min) = &c.min {
        out.push(format!("≥ {min}"));
    }
    if let Some(max) = &c.max {
        out.push(format!("≤ {max}"));
    }
    if let Some(n) = c.min_length {
        out.push(format!("at least {n} characters"));
    }
    if let Some(n) = c.max_length {
        out.push(format!("at most {n} characters"));
    }
    if let Some(p) = &c.pattern {
        out.push(format!("matches `{p}`"));
    }
    if let Some(n) = c.min_items {
        out.push(format!("at least {n} items"));
    }
    if let Some(n) = c.max_items {
        out.push(format!("at most {n} items"));
    }
    if let Type::Enum { def, .. } = &field.ty {
        let values: Vec<String> = def.values.iter().map(|v| format!("`{}`", v.wire)).collect();
        out.push(format!(
            "one of {}{}",
            values.join(", "),
            if def.open { " (others are kept)" } else { "" }
        ));
    }
    out
}

/// Rustdoc text of a field.
pub fn field_doc(field: &Field) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "{}", field.description);
    text.push('\n');
    let _ = write!(
        text,
        "Wire name `{}`, {}, {}.",
        field.wire,
        type_name(field),
        if field.required {
            "required"
        } else {
            "optional"
        }
    );
    let constraints = constraints(field);
    if !constraints.is_empty() {
        let _ = write!(text, " Constraints: {}.", constraints.join(", "));
    }
    if let Some(default) = &field.default {
        let _ = write!(text, " Default: `{default}`.");
    }
    if let Some(example) = &field.example {
        let _ = write!(text, " Example: `{example}`.");
    }
    if let Some(note) = &field.note {
        let _ = write!(text, "\n\nNote: {note}");
    }
    text
}

fn endpoint_header(endpoint: &Endpoint, text: &mut String) {
    let _ = writeln!(text, "**{}**", endpoint.title);
    text.push('\n');
    let _ = writeln!(text, "{}", endpoint.description);
    text.push('\n');
    match endpoint.direction {
        Direction::Redirect => {
            let path = endpoint.path.as_deref().unwrap_or_default();
            let _ = writeln!(
                text,
                "Not called by the client: the signed parameters go into the query of `{path}`, which the payer's browser opens; signed with the script name `{}`.",
                endpoint.script
            );
        }
        Direction::Request => {
            let path = endpoint.path.as_deref().unwrap_or_default();
            let method = match endpoint.method {
                crate::spec::Method::Get => "GET",
                crate::spec::Method::Post => "POST",
            };
            let sites: Vec<&str> = endpoint.hosts.iter().map(|s| site(*s).code()).collect();
            let _ = writeln!(
                text,
                "`{method} {path}` on the {} hosts; signed with the script name `{}`.",
                sites.join(", "),
                endpoint.script
            );
        }
        Direction::Callback => {
            let _ = writeln!(
                text,
                "Sent by the gateway to the merchant's URL and signed with that URL's last path segment as the script name (`{}` in the examples).",
                endpoint.script
            );
        }
    }
    text.push('\n');
    let _ = writeln!(
        text,
        "Documentation completeness: {}.",
        completeness(endpoint.completeness)
    );
    for note in &endpoint.notes {
        text.push('\n');
        let _ = writeln!(text, "Note: {note}");
    }
}

/// Rustdoc text of the request (or callback) type.
pub fn request_doc(endpoint: &Endpoint) -> String {
    let mut text = String::new();
    endpoint_header(endpoint, &mut text);
    text
}

/// Rustdoc text of the response (or reply) type.
pub fn response_doc(endpoint: &Endpoint) -> String {
    match endpoint.direction {
        Direction::Request | Direction::Redirect => format!(
            "The gateway's response to [`{}`]: {}.",
            endpoint.request_type(),
            endpoint.title
        ),
        Direction::Callback => format!(
            "The merchant's signed XML reply to [`{}`]: {}.",
            endpoint.request_type(),
            endpoint.title
        ),
    }
}

/// Rustdoc text of an enum.
pub fn enum_doc(def: &Enum) -> String {
    let mut text = def.description.clone();
    if def.open {
        text.push_str("\n\nThe gateway may add values: unknown ones are kept in `Unknown`.");
    }
    text
}
