//! Which endpoints of a registry table a request path can be, found without
//! scanning the table: a map of the paths without placeholders, and a short
//! list of the templates with them (`/{merchant_id}/…`) to match one by one.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use freedompay::registry::{self, Direction, EndpointInfo, JsonEndpointInfo};

/// The form endpoints (requests and redirects) by path.
static FORM_ROUTES: LazyLock<PathIndex> = LazyLock::new(|| {
    PathIndex::new(
        registry::ENDPOINTS
            .iter()
            .map(|e| e.path.filter(|_| e.direction != Direction::Callback)),
    )
});

/// The JSON endpoints by path.
static JSON_ROUTES: LazyLock<PathIndex> =
    LazyLock::new(|| PathIndex::new(registry::JSON_ENDPOINTS.iter().map(|e| Some(e.path))));

/// The form endpoints (requests and redirects) a request path can be, in
/// table order, each with the merchant id the path carries, if any.
pub(crate) fn form_endpoints(path: &str) -> Vec<(&'static EndpointInfo, Option<String>)> {
    FORM_ROUTES
        .lookup(path)
        .into_iter()
        .filter_map(|(position, captured)| Some((registry::ENDPOINTS.get(position)?, captured)))
        .collect()
}

/// The JSON endpoints at a request path, in table order.
pub(crate) fn json_endpoints(path: &str) -> Vec<&'static JsonEndpointInfo> {
    JSON_ROUTES
        .lookup(path)
        .into_iter()
        .filter_map(|(position, _)| registry::JSON_ENDPOINTS.get(position))
        .collect()
}

/// The path of what a user says a request is sent to: a URL
/// (`https://host/a/b?x` gives `/a/b`), a path, or a script name, without
/// its query string or fragment.
pub(crate) fn uri_path(called: &str) -> &str {
    let without_query = called.split(['?', '#']).next().unwrap_or_default();
    match without_query.split_once("://") {
        Some((_, rest)) => rest.find('/').and_then(|at| rest.get(at..)).unwrap_or("/"),
        None => without_query,
    }
}

/// The positions of a table's endpoints by path, built once from the table.
#[derive(Debug, Default)]
pub(crate) struct PathIndex {
    /// Paths without placeholders ([`normalized`]) and the positions of
    /// the endpoints at each, in table order.
    exact: HashMap<String, Vec<usize>>,
    /// Templates with placeholders ([`normalized`]), with their positions,
    /// in table order.
    templates: Vec<(String, usize)>,
}

/// An endpoint a path matched: its position in the table, and the merchant
/// id the path carries when its template has a `{merchant_id}`.
pub(crate) type Match = (usize, Option<String>);

impl PathIndex {
    /// Indexes the paths of a table, given in table order (an endpoint
    /// without a path, such as a callback, is left out).
    pub(crate) fn new(paths: impl IntoIterator<Item = Option<&'static str>>) -> Self {
        let mut index = PathIndex::default();
        for (position, path) in paths.into_iter().enumerate() {
            let Some(path) = path else { continue };
            let path = normalized(path).into_owned();
            if path.contains('{') {
                index.templates.push((path, position));
            } else {
                index.exact.entry(path).or_default().push(position);
            }
        }
        index
    }

    /// The endpoints `path` can be, in table order.
    pub(crate) fn lookup(&self, path: &str) -> Vec<Match> {
        let path = normalized(path);
        let path = path.as_ref();
        let mut found: Vec<Match> = self
            .exact
            .get(path)
            .into_iter()
            .flatten()
            .map(|&position| (position, None))
            .collect();
        let before = found.len();
        found.extend(self.templates.iter().filter_map(|(template, position)| {
            match_template(template, path).map(|captured| (*position, captured))
        }));
        if found.len() > before && before > 0 {
            found.sort_by_key(|&(position, _)| position);
        }
        found
    }
}

/// `path` with each run of slashes read as one and no trailing slash, as a
/// web server in front of the gateway reads it: Freedom ID's documented
/// `/api/v1oidc//token` is also reached as `/api/v1oidc/token`, the form
/// many HTTP clients send. Most paths are already so and are not copied.
fn normalized(path: &str) -> Cow<'_, str> {
    if !path.contains("//") {
        return Cow::Borrowed(path.trim_end_matches('/'));
    }
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    Cow::Owned(out)
}

/// The merchant id a template with placeholders captures, when `path`
/// matches it (both without a trailing `/`).
fn match_template(template: &str, path: &str) -> Option<Option<String>> {
    let mut captured = None;
    let mut template_parts = template.split('/');
    let mut path_parts = path.split('/');
    loop {
        match (template_parts.next(), path_parts.next()) {
            (None, None) => return Some(captured),
            (Some(t), Some(p)) if t == "{merchant_id}" && !p.is_empty() => {
                captured = Some(p.to_owned());
            }
            (Some(t), Some(p)) if t.starts_with('{') && t.ends_with('}') && !p.is_empty() => {}
            (Some(t), Some(p)) if t == p => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PathIndex, uri_path};

    #[test]
    fn the_path_of_a_url_a_path_or_a_script() {
        assert_eq!(
            uri_path("https://api.freedompay.kz/g2g/payment?x=1"),
            "/g2g/payment"
        );
        assert_eq!(uri_path("https://api.freedompay.kz"), "/");
        assert_eq!(uri_path("/init_payment.php#top"), "/init_payment.php");
        assert_eq!(uri_path("init_payment.php"), "init_payment.php");
    }

    #[test]
    fn paths_match_templates_and_capture_the_merchant() {
        let index = PathIndex::new([
            Some("/init_payment.php"),
            None,
            Some("/g2g/payment_page/"),
            Some("/{merchant_id}/mfs/pay"),
            Some("/init_payment.php"),
            Some("/v1/{merchant_id}/card/{card_id}"),
            Some("/mfs/approve"),
        ]);
        assert_eq!(
            index.lookup("/init_payment.php"),
            vec![(0, None), (4, None)]
        );
        assert_eq!(index.lookup("/g2g/payment_page"), vec![(2, None)]);
        assert_eq!(index.lookup("/g2g/payment_page/"), vec![(2, None)]);
        assert_eq!(
            index.lookup("/545084/mfs/pay"),
            vec![(3, Some("545084".to_owned()))]
        );
        assert_eq!(
            index.lookup("/545084/card/77"),
            vec![],
            "a template matches whole segments only"
        );
        assert_eq!(
            index.lookup("/v1/545084/card/77"),
            vec![(5, Some("545084".to_owned()))]
        );
        assert_eq!(
            index.lookup("//mfs/pay"),
            vec![],
            "a placeholder is never empty"
        );
        assert_eq!(index.lookup("/mfs/pay"), vec![]);
        assert_eq!(index.lookup("/no-such-path"), vec![]);
    }

    #[test]
    fn an_exact_path_and_a_template_keep_table_order() {
        let index = PathIndex::new([
            Some("/{merchant_id}/status"),
            Some("/12/status"),
            Some("/{merchant_id}/status"),
        ]);
        assert_eq!(
            index.lookup("/12/status"),
            vec![
                (0, Some("12".to_owned())),
                (1, None),
                (2, Some("12".to_owned()))
            ]
        );
    }
}
