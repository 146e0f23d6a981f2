//! A `Browser`: a cookie-keeping HTTP client that does not follow redirects, and the `Page`s it sees, read with
//! `scraper` (inputs, forms, alerts, scripts, cookies).

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use scraper::{Html, Selector};

/// A browser: cookies kept, redirects not followed (the test follows them and inspects each step).
pub struct Browser {
    pub http: reqwest::Client,
}

impl Default for Browser {
    fn default() -> Self {
        Browser::build(reqwest::Client::builder(), HeaderMap::new())
    }
}

impl Browser {
    /// A browser whose connections come from `address` (any of 127.0.0.0/8 reaches the server on loopback), so
    /// the server sees another client address.
    pub fn from_address(address: std::net::IpAddr) -> Browser {
        Browser::build(
            reqwest::Client::builder().local_address(address),
            HeaderMap::new(),
        )
    }

    /// A browser behind a reverse proxy that forwards it as `X-Forwarded-For: {address}` (all test browsers
    /// connect from 127.0.0.1, so the server believes this only when 127.0.0.1 is a trusted proxy).
    pub fn forwarded_for(address: &str) -> Browser {
        Browser::forwarded("x-forwarded-for", address)
    }

    /// A browser whose every request carries the forwarding header `name: value` (e.g. RFC 7239 `forwarded`).
    pub fn forwarded(name: &'static str, value: &str) -> Browser {
        let mut headers = HeaderMap::new();
        headers.insert(name, value.parse().unwrap());
        Browser::build(reqwest::Client::builder(), headers)
    }

    fn build(builder: reqwest::ClientBuilder, headers: HeaderMap) -> Browser {
        Browser {
            http: builder
                .cookie_store(true)
                .default_headers(headers)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }
}

/// A response as the browser saw it.
#[derive(Clone)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    fn select<T>(&self, selector: &str, f: impl Fn(scraper::ElementRef<'_>) -> T) -> Vec<T> {
        let html = Html::parse_document(&self.body);
        let selector = Selector::parse(selector).unwrap();
        html.select(&selector).map(f).collect()
    }

    /// The value of the hidden/visible input `name` in the page's form.
    pub fn input(&self, name: &str) -> Option<String> {
        self.select(&format!("input[name=\"{name}\"]"), |e| {
            e.value().attr("value").map(str::to_owned)
        })
        .into_iter()
        .next()
        .flatten()
    }

    /// The `type` of the input `name`, if the page has one.
    pub fn input_type(&self, name: &str) -> Option<String> {
        self.select(&format!("input[name=\"{name}\"]"), |e| {
            e.value().attr("type").unwrap_or("text").to_owned()
        })
        .into_iter()
        .next()
    }

    /// The attribute `name` of the first element matching `selector`.
    pub fn attr(&self, selector: &str, name: &str) -> Option<String> {
        self.select(selector, |e| e.value().attr(name).map(str::to_owned))
            .into_iter()
            .next()
            .flatten()
    }

    /// The first form's `action`.
    pub fn form_action(&self) -> String {
        self.select("form", |e| e.value().attr("action").map(str::to_owned))
            .into_iter()
            .next()
            .flatten()
            .expect("a form with an action")
    }

    /// The text of the element with `role="alert"`, if any.
    pub fn alert(&self) -> Option<String> {
        self.select("[role=alert]", |e| {
            e.text().collect::<String>().trim().to_owned()
        })
        .into_iter()
        .next()
    }

    /// Every `<script>` element as `(src, inline text)`.
    pub fn scripts(&self) -> Vec<(Option<String>, String)> {
        self.select("script", |e| {
            (e.value().attr("src").map(str::to_owned), e.text().collect())
        })
    }

    /// A query parameter of the redirect target.
    pub fn redirect_param(&self, name: &str) -> Option<String> {
        let url = url::Url::parse(self.location.as_deref()?).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The `Set-Cookie` header that sets `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with(&format!("{name}=")))
    }
}

impl Browser {
    pub async fn get(&self, url: &str) -> Page {
        Self::page(self.http.get(url).send().await.unwrap()).await
    }

    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Page {
        Self::page(self.http.post(url).form(form).send().await.unwrap()).await
    }

    async fn page(res: reqwest::Response) -> Page {
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        Page {
            status,
            headers,
            location,
            body: res.text().await.unwrap(),
        }
    }

    /// Follows an authorization URL to the login page and returns that page.
    pub async fn login_page(&self, authorize_url: &str) -> Page {
        let to_login = self.get(authorize_url).await;
        assert_eq!(
            to_login.status,
            StatusCode::FOUND,
            "authorize → login: {}",
            to_login.body
        );
        let location = to_login.location.as_deref().unwrap();
        assert!(location.contains("/login?request="), "{location}");
        let login = self.get(location).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
        login
    }

    /// Follows an authorization URL to the login page, signs in, and returns the final redirect to the client.
    pub async fn sign_in(&self, authorize_url: &str, identifier: &str, password: &str) -> Page {
        let login = self.login_page(authorize_url).await;
        self.submit_login(&login, identifier, password).await
    }

    /// Declines the passkey suggestion when `page` is one (a pool with passkeys, a user without); else `page`.
    pub async fn not_now(&self, page: Page) -> Page {
        if page.status != StatusCode::OK || !page.form_action().ends_with("/login/continue") {
            return page;
        }
        let (csrf, request) = (
            page.input("csrf_token").unwrap(),
            page.input("request").unwrap(),
        );
        let form = [("csrf_token", csrf.as_str()), ("request", request.as_str())];
        self.post_form(&page.form_action(), &form).await
    }

    /// Submits the login form of `login`.
    pub async fn submit_login(&self, login: &Page, identifier: &str, password: &str) -> Page {
        let (csrf, request) = (
            login.input("csrf_token").unwrap(),
            login.input("request").unwrap(),
        );
        let form = [
            ("csrf_token", csrf.as_str()),
            ("request", request.as_str()),
            ("identifier", identifier),
            ("password", password),
        ];
        self.post_form(&login.form_action(), &form).await
    }
}
