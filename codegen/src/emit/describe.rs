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

/// The service, from the core's table.
pub fn server(server: crate::spec::Server) -> freedompay_core::hosts::Server {
    match server {
        crate::spec::Server::Api => freedompay_core::hosts::Server::Api,
        crate::spec::Server::FreedomId => freedompay_core::hosts::Server::FreedomId,
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

/// How a request is authenticated, as the docs say it.
pub fn auth(auth: crate::spec::Auth) -> &'static str {
    use crate::spec::Auth;
    match auth {
        Auth::PgSig => {
            "`pg_sig` (MD5 of the script name, the values in sort-key order and the secret key)"
        }
        Auth::JwsHs256 => "detached JWS of the JSON body in `X-JWS-Signature`, HS256",
        Auth::JwsHs512 => "detached JWS of the JSON body in `X-JWS-Signature`, HS512",
        Auth::Basic => "HTTP Basic client credentials",
        Auth::None => "none (the payer's browser opens the URL)",
    }
}

/// Type as shown in docs.
pub fn type_name(field: &Field) -> String {
    match &field.ty {
        Type::Enum { def, .. } => format!("enum `{}`", def.rust_name),
        Type::List { item_rust_name, .. } => format!("list of `{item_rust_name}`"),
        Type::TextList { .. } => "list of text values".to_owned(),
        other => other.name().to_owned(),
    }
}

/// `n` and the noun, plural unless `n` is 1: `1 character`, `50 characters`.
fn count(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The rules of a field's value in words (empty when none): bounds, lengths,
/// pattern and item counts; not the values of an enum.
fn rules(field: &Field) -> Vec<String> {
    let c = &field.constraints;
    let mut out = Vec::new();
    // What card data's type checks by itself.
    match field.ty {
        Type::CardNumber => out.push("Luhn check digit".to_owned()),
        Type::CardCvc => out.push("3 or 4 digits".to_owned()),
        Type::CardMonth => out.push("`01` to `12`".to_owned()),
        Type::CardYear => out.push("2 digits".to_owned()),
        _ => {}
    }
    if let Some(min) = &c.min {
        out.push(format!("≥ {min}"));
    }
    if let Some(max) = &c.max {
        out.push(format!("≤ {max}"));
    }
    if let Some(n) = c.min_length {
        out.push(format!("at least {}", count(n, "character")));
    }
    if let Some(n) = c.max_length {
        out.push(format!("at most {}", count(n, "character")));
    }
    if let Some(p) = &c.pattern {
        out.push(format!("matches `{p}`"));
    }
    if let Some(n) = c.min_items {
        out.push(format!("at least {}", count(n, "item")));
    }
    if let Some(n) = c.max_items {
        out.push(format!("at most {}", count(n, "item")));
    }
    out
}

/// The constraints of a field in words (empty when none), the values of an
/// enum included.
pub fn constraints(field: &Field) -> Vec<String> {
    let mut out = rules(field);
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

/// Spec prose made safe for rustdoc. Outside code spans, `[`, `]` and `<`
/// are escaped, so that `[sic]` is not read as a link nor `<date>` as HTML,
/// and a bare URL is put in `<…>`. The spec's prose has no Markdown links.
pub fn rustdoc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !in_code && (rest.starts_with("https://") || rest.starts_with("http://")) {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '`' | '<' | '>' | '"'))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':', ')', ']']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        match c {
            '`' => in_code = !in_code,
            '[' | ']' | '<' if !in_code => out.push('\\'),
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Rustdoc text of a struct field: its wire name and meaning, then its
/// rules and default. Examples and notes about the documentation are on the
/// docs page.
pub fn field_doc(field: &Field) -> String {
    let mut text = format!("`{}`: {}", field.wire, rustdoc_text(&field.description));
    let mut facts = String::new();
    let rules = rules(field);
    if let Some((first, rest)) = rules.split_first() {
        let mut first = first.clone();
        if let Some(c) = first.get(..1) {
            first.replace_range(..1, &c.to_uppercase());
        }
        let all: Vec<&str> = std::iter::once(first.as_str())
            .chain(rest.iter().map(String::as_str))
            .collect();
        let _ = write!(facts, "{}.", all.join(", "));
    }
    if let Some(default) = &field.default {
        let _ = write!(facts, " Default: `{default}`.");
    }
    let facts = facts.trim_start();
    if !facts.is_empty() {
        text.push('\n');
        text.push_str(facts);
    }
    text
}

/// Where the endpoint's documentation notes live, with its completeness mark.
fn notes_line(endpoint: &Endpoint) -> String {
    let mark = completeness(endpoint.completeness)
        .split(' ')
        .next()
        .unwrap_or_default();
    format!(
        "Documentation completeness {mark}; gaps, contradictions, sources: `docs/{}`.",
        crate::emit::markdown::page_path(endpoint)
    )
}

/// Rustdoc text of the request (or callback, or redirect) type: a summary
/// line, the description, how it travels and where the notes are.
pub fn request_doc(endpoint: &Endpoint) -> String {
    let title = rustdoc_text(&endpoint.title);
    let path = endpoint.path.as_deref().unwrap_or_default();
    let method = endpoint.method.name();
    let (summary, travel) = match endpoint.direction {
        Direction::Request => {
            let sites: Vec<&str> = endpoint.hosts.iter().map(|s| site(*s).code()).collect();
            let signed = match endpoint.auth.jws_algorithm() {
                Some(alg) => format!(
                    "a JSON body signed with a detached JWS ({}) in `X-JWS-Signature`",
                    alg.name()
                ),
                None if endpoint.auth == crate::spec::Auth::Basic => {
                    "a JSON body sent with HTTP Basic client credentials".to_owned()
                }
                None => format!("signed with the script name `{}`", endpoint.script),
            };
            let served = match endpoint.server {
                crate::spec::Server::Api => format!("Served on the {} hosts", sites.join(", ")),
                crate::spec::Server::FreedomId => format!(
                    "Served by Freedom ID (`{}`)",
                    server(endpoint.server)
                        .production(freedompay_core::hosts::Site::Kz)
                        .unwrap_or_default()
                ),
            };
            (
                format!("**{title}**: the request of `{method} {path}`."),
                format!("{served}; {signed}."),
            )
        }
        Direction::Redirect if !endpoint.request.signed => (
            format!("**{title}**: the query of `{method} {path}`, opened by the user's browser."),
            "The client only writes it into a URL; it is not signed.".to_owned(),
        ),
        Direction::Redirect => (
            format!(
                "**{title}**: the signed query of `{method} {path}`, opened by the payer's browser."
            ),
            format!(
                "The client only signs it into a URL; signed with the script name `{}`.",
                endpoint.script
            ),
        ),
        Direction::Callback => (
            format!("**{title}**: a callback the gateway sends to the merchant's URL."),
            format!(
                "Signed with the last segment of that URL's path as the script name (`{}` in the\nexamples).",
                endpoint.script
            ),
        ),
    };
    format!(
        "{summary}\n\n{}\n\n{travel}\n{}",
        rustdoc_text(&endpoint.description),
        notes_line(endpoint)
    )
}

/// Rustdoc text of the response (or reply) type.
pub fn response_doc(endpoint: &Endpoint) -> String {
    let title = rustdoc_text(&endpoint.title);
    match endpoint.direction {
        Direction::Request | Direction::Redirect => format!(
            "The gateway's response to [`{}`] (**{title}**).",
            endpoint.request_type()
        ),
        Direction::Callback => format!(
            "The merchant's signed XML reply to [`{}`] (**{title}**).",
            endpoint.request_type()
        ),
    }
}

/// Rustdoc text of an enum.
pub fn enum_doc(def: &Enum) -> String {
    let mut text = rustdoc_text(&def.description);
    if def.open {
        text.push_str("\n\nThe gateway may add values: unknown ones are kept in `Unknown`.");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::rustdoc_text;

    #[test]
    fn rustdoc_text_escapes_brackets_and_tags_outside_code_only() {
        assert_eq!(
            rustdoc_text("typed [string] [sic] as <date-time>, see `pg_items[0][count]`"),
            "typed \\[string\\] \\[sic\\] as \\<date-time>, see `pg_items[0][count]`"
        );
    }

    #[test]
    fn rustdoc_text_puts_bare_urls_in_angle_brackets() {
        assert_eq!(
            rustdoc_text("the page https://example.com/a?b=1. Or `http://x.kz/post`."),
            "the page <https://example.com/a?b=1>. Or `http://x.kz/post`."
        );
    }
}
