//! The sandbox's home page (`GET /`): what is running here, the merchants'
//! ids and the API users' `auth_id`s it knows (never a key), and where its
//! pages are. Scripts that wait for the sandbox to start poll it too.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;
use maud::html;

use crate::debugger_page::{SIGNATURE_DEBUGGER_PATH, tool_page};
use crate::ops::App;

/// Where the sandbox serves its home page.
pub(crate) const HOME_PATH: &str = "/";

/// `GET /`: the page.
pub(crate) async fn show(State(app): State<Arc<App>>) -> Html<String> {
    let mut users: Vec<_> = app
        .api_users
        .values()
        .map(|user| (user.family.name(), user.auth_id.as_str()))
        .collect();
    users.sort_unstable();
    tool_page(
        "Freedom Pay sandbox",
        html! {
            h1 { "Freedom Pay sandbox" }
            p {
                "A local Freedom Pay gateway at " code id="base-url" { (app.base_url) } ": "
                "every endpoint of the Merchant, Gateway, Card and Partner APIs and Freedom ID "
                "at its real path, checked and answered as the gateway does it, with test cards "
                "and phones instead of money."
            }
            h2 { "Merchants" }
            p { "Requests are signed with one of these merchants' keys (set with " code { "--merchant ID:SECRET" } " or the config file):" }
            ul id="merchants" {
                @for id in app.merchants.keys() {
                    li { code { (id) } }
                }
            }
            @if !users.is_empty() {
                h2 { "API users" }
                ul id="api-users" {
                    @for (family, auth_id) in &users {
                        li { (family) " " code { (auth_id) } }
                    }
                }
            }
            h2 { "Pages" }
            ul {
                li {
                    a id="debugger" href=(SIGNATURE_DEBUGGER_PATH) { "Signature debugger" }
                    ": paste a request refused with 1100 (or 401 for a JSON call) and see which step of its signature differs."
                }
                li {
                    "The payment page: a payment's " code { "pg_redirect_url" } ", which "
                    code { "init_payment.php" } " (and the other calls that create a payment) answers; "
                    "the payer types a documented test card or phone there."
                }
                li {
                    "The payout page, the card-saving pages and the 3-D Secure page: reached the same way, "
                    "from the URL the call that needs them answers."
                }
            }
            h2 { "From a browser" }
            p {
                "Pages served from " code { "http://localhost" } ", " code { "http://127.0.0.1" } " or "
                code { "http://[::1]" } " (any port) may call the sandbox: the docs site's API reference "
                "sends its \"Try it out\" requests here, signed in the browser."
            }
        },
    )
}
