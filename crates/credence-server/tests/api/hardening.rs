//! The server against hostile clients: the sign-in throttle (per username and address,
//! per address, per username from unknown addresses; parallel guesses), idle sessions,
//! security headers, open redirects, paging past any end, the metrics token, and over a
//! real socket the header-read deadline and the connection cap.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use crate::{Auth, Fixture, PASSWORD, call, fixture, get, login, on_both_databases, with_store};

/// A sign-in from `ip` (through a trusted proxy at 10.9.9.9 when the fixture has one).
async fn sign_in_from(f: &Fixture, ip: &str, user: &str, password: &str) -> StatusCode {
    let proxy: SocketAddr = "10.9.9.9:40000".parse().unwrap();
    let req = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-forwarded-for", format!("203.0.113.250, {ip}"))
        .extension(ConnectInfo(proxy))
        .body(Body::from(json!({ "username": user, "password": password }).to_string()))
        .unwrap();
    call(f, req).await.0
}

fn behind_proxy(mut f: Fixture) -> Fixture {
    let mut config = f.state.0.config.clone();
    config.trusted_proxies = vec!["10.9.9.9/32".parse().unwrap()];
    f.state = credence_server::AppState::open(config).unwrap();
    f
}

/// Five wrong passwords from one address close that address to the username (even with
/// the right password, with a back-off), while the real user signs in from an address
/// it has used before; thirty failures from one address close it to every username; and
/// failures spread over many addresses close the username to new addresses only.
async fn throttle_scenario(f: &Fixture) {
    assert_eq!(sign_in_from(f, "198.51.100.1", "risk", PASSWORD).await, StatusCode::OK, "known address");
    for _ in 0..5 {
        assert_eq!(sign_in_from(f, "192.0.2.66", "risk", "guess").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in_from(f, "192.0.2.66", "risk", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sign_in_from(f, "198.51.100.1", "risk", PASSWORD).await, StatusCode::OK, "not locked out");
    // One address guessing many usernames.
    for i in 0..30 {
        let s = sign_in_from(f, "192.0.2.77", &format!("user{i}"), "guess").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    assert_eq!(sign_in_from(f, "192.0.2.77", "boss", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    // Twenty guesses for one username from twenty addresses.
    for i in 0..20 {
        let s = sign_in_from(f, &format!("192.0.2.{}", 100 + i), "audit", "guess").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "spread attempt {i}");
    }
    assert_eq!(sign_in_from(f, "192.0.2.200", "audit", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    // The refusals were not recorded as attempts: the address is as it was.
    let failures = with_store(f, |s| {
        let attempt = credence_store::LoginAttempt {
            username: "boss",
            client_ip: "192.0.2.77",
            at: "2100-01-01T00:00:00Z",
            since: "2000-01-01T00:00:00Z",
            known_since: "2000-01-01T00:00:00Z",
        };
        s.open_login_attempt(&attempt, |c| Some(c.ip_failures)).unwrap().unwrap_err()
    });
    assert_eq!(failures, 30);
}

on_both_databases!(sign_ins_are_throttled_sqlite, sign_ins_are_throttled_postgres, throttled_behind_proxy);

async fn throttled_behind_proxy(f: &Fixture) {
    // The fixture is shared by reference; the proxy setting needs a state of its own.
    let mut config = f.state.0.config.clone();
    config.trusted_proxies = vec!["10.9.9.9/32".parse().unwrap()];
    let g = crate::sync(|| Fixture {
        _dir: tempfile::tempdir().unwrap(),
        db: f.db.clone(),
        state: credence_server::AppState::open(config).unwrap(),
        pg_schema: None,
    });
    throttle_scenario(&g).await;
    crate::sync(move || drop(g));
}

/// Ten wrong guesses sent at once: every one is counted before any password is checked,
/// so exactly five are checked and the rest refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_cannot_pass_the_limit() {
    let f = behind_proxy(fixture());
    let guesses = (0..10).map(|_| sign_in_from(&f, "192.0.2.9", "risk", "guess"));
    let statuses = futures_join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 5), "{statuses:?}");
}

async fn futures_join_all<F: std::future::Future<Output = StatusCode>>(
    futures: impl Iterator<Item = F>,
) -> Vec<StatusCode> {
    let mut set = Vec::new();
    for f in futures {
        set.push(f);
    }
    let mut out = Vec::new();
    // Polled together: the requests reach the server concurrently.
    let mut pinned: Vec<_> = set.into_iter().map(Box::pin).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if out.iter().any(|(j, _)| *j == i) {
                continue;
            }
            match f.as_mut().poll(cx) {
                std::task::Poll::Ready(s) => out.push((i, s)),
                std::task::Poll::Pending => pending = true,
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, s)| s).collect()
}

/// A session unused for longer than the idle time has ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sessions_end() {
    let f = fixture();
    let auth = login(&f, "risk").await;
    assert_eq!(call(&f, get("/api/v1/me", &auth)).await.0, StatusCode::OK);
    let Auth::Session { cookie, .. } = &auth else { unreachable!() };
    let id = cookie.split_once('=').unwrap().1.to_owned();
    with_store(&f, |s| {
        s.touch_session(&credence_server::auth::sha256_hex(&id), &"2026-01-01T00:00:00Z".into()).unwrap()
    });
    let (status, body, _) = call(&f, get("/api/v1/me", &auth)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["message"].as_str().unwrap().contains("30 minutes without use"), "{body}");
    assert_eq!(call(&f, get("/api/v1/me", &auth)).await.0, StatusCode::UNAUTHORIZED, "and it stays ended");
}

/// Every answer, page, error and asset alike, carries the security headers; the cockpit
/// needs no inline script or style, so the policy allows none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers() {
    let f = fixture();
    let auth = login(&f, "risk").await;
    for uri in ["/healthz", "/login", "/api/v1/nothing", "/assets/app.js", "/cockpit", "/api/v1/me"] {
        let (_, _, headers) = call(&f, get(uri, &auth)).await;
        let csp = headers.get(header::CONTENT_SECURITY_POLICY).map(|v| v.to_str().unwrap().to_owned());
        let csp = csp.unwrap_or_else(|| panic!("{uri}: no content security policy"));
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{uri}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer", "{uri}");
    }
    let (_, page, _) = call(&f, get("/cockpit", &auth)).await;
    let page = page.as_str().unwrap();
    assert!(!page.contains("<script>") && !page.contains(" style=") && !page.contains(" onclick="));
}

/// Where a sign-in or a language switch goes back to is a path on this site, whatever
/// a link says: tabs, line breaks and backslashes that browsers drop or turn into `/`
/// do not make it another site.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_redirect_leaves_the_site() {
    let f = fixture();
    let hostile = [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\u{3000}/evil.example",
    ];
    for next in hostile.into_iter().chain(["/customers?level=red"]) {
        let form = format!("username=risk&password={}&next={}", urlencode(PASSWORD), urlencode(next));
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let (status, _, headers) = call(&f, req).await;
        assert!(status.is_redirection(), "{next:?}: {status}");
        let to = headers[header::LOCATION].to_str().unwrap();
        let expected = if next.starts_with("/customers") { next } else { "/" };
        assert_eq!(to, expected, "{next:?}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// A page number far past the end is the client's mistake, not our fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_past_any_end_is_refused_clearly() {
    let f = fixture();
    let auth = login(&f, "risk").await;
    for uri in [
        "/api/v1/customers?page=18446744073709551615&per_page=500",
        "/api/v1/customers?page=9223372036854775807",
        "/api/v1/portfolio/positions?page=18446744073709551615&per_page=500",
    ] {
        let (status, body, _) = call(&f, get(uri, &auth)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {body}");
        assert_eq!(body["field"], "page", "{uri}: {body}");
    }
    let (status, _, _) = call(&f, get("/customers?page=18446744073709551615", &auth)).await;
    assert_eq!(status, StatusCode::OK);
}

/// With a metrics token, `/metrics` answers only a request that carries it, with the
/// latest rating run's figures and the connection pool beside the request counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_require_a_token() {
    let mut f = fixture();
    let mut config = f.state.0.config.clone();
    config.metrics_token = Some("scrape-secret-0123456789".into());
    f.state = credence_server::AppState::open(config).unwrap();
    assert_eq!(call(&f, get("/metrics", &Auth::None)).await.0, StatusCode::UNAUTHORIZED);
    let wrong = Auth::Token("scrape-secret-0123456780".into());
    assert_eq!(call(&f, get("/metrics", &wrong)).await.0, StatusCode::UNAUTHORIZED);
    let right = Auth::Token("scrape-secret-0123456789".into());
    let (status, body, _) = call(&f, get("/metrics", &right)).await;
    assert_eq!(status, StatusCode::OK);
    let text = body.as_str().unwrap();
    assert!(text.contains("credence_http_requests_total"));
    // The fixture's rating run rated its 300 customers; the pool is counted.
    assert!(text.contains("\ncredence_rating_run_customers{outcome=\"rated\"} 300\n"), "{text}");
    assert!(text.contains("\ncredence_rating_run_customers{outcome=\"failed\"} 0\n"), "{text}");
    // Its time stamps are not instants ("t1"), so no duration is claimed for it; a run
    // stamped with real instants has one.
    assert!(!text.contains("\ncredence_rating_run_seconds "), "{text}");
    with_store(&f, |store| {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        let options = credence_engine::RateOptions::new(
            as_of,
            credence_engine::RateScope::All,
            "2026-10-01T02:00:00Z".into(),
        );
        let catalogue = credence_engine::types::indicators::Catalogue::builtin();
        let model = credence_engine::types::rating::ScorecardModel::builtin();
        credence_engine::rate_portfolio(store, &catalogue, &model, &options).unwrap();
    });
    let (_, body, _) = call(&f, get("/metrics", &right)).await;
    let text = body.as_str().unwrap();
    assert!(text.contains("\ncredence_rating_run_seconds "), "{text}");
    assert!(text.contains("\ncredence_rating_run_finished_timestamp_seconds 1790820000\n"), "{text}");
    assert!(text.contains("\ncredence_db_connections "), "{text}");
    // Without a token it is open, as a scraper on a private network expects.
    assert_eq!(call(&fixture(), get("/metrics", &Auth::None)).await.0, StatusCode::OK);
}

/// Over a real socket: a client that never finishes its headers is cut off at the
/// deadline, and while the only connection slot is held, a second client waits until it
/// is freed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_connections_capped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let f = fixture();
    let mut config = f.state.0.config.clone();
    config.header_read_timeout = std::time::Duration::from_millis(800);
    config.max_connections = 1;
    let state = credence_server::AppState::open(config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(credence_server::serve_on(state, listener, std::future::pending()));

    let started = std::time::Instant::now();
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    // The second client is accepted only once the slow one's slot is free.
    let mut waiting = tokio::net::TcpStream::connect(addr).await.unwrap();
    waiting.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), waiting.read_to_end(&mut answer));
    read.await.expect("answered once the slot was freed").unwrap();
    let waited = started.elapsed();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(waited >= std::time::Duration::from_millis(700), "answered after {waited:?}: not held back");
    let mut rest = Vec::new();
    let cut = tokio::time::timeout(std::time::Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    assert!(cut.is_ok(), "the slow client was cut off");
    server.abort();
}

/// Behind a chain of trusted proxies (a load balancer in 10.9.8.0/24 in front of a proxy
/// at 10.9.9.9), the client is the nearest address their `X-Forwarded-For` names that is
/// not a proxy; what the client itself put further left is not believed. A request that
/// does not come from a trusted proxy is taken at its socket's address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_is_found_behind_a_chain_of_proxies() {
    let f = fixture();
    let mut config = f.state.0.config.clone();
    config.trusted_proxies = vec!["10.9.9.9/32".parse().unwrap(), "10.9.8.0/24".parse().unwrap()];
    let g = Fixture {
        _dir: tempfile::tempdir().unwrap(),
        db: f.db.clone(),
        state: credence_server::AppState::open(config).unwrap(),
        pg_schema: None,
    };
    let attempt = |peer: &str, forwarded: &str| {
        Request::post("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", forwarded)
            .extension(ConnectInfo(peer.parse::<SocketAddr>().unwrap()))
            .body(Body::from(json!({ "username": "risk", "password": "wrong" }).to_string()))
            .unwrap()
    };
    let spoofed = "203.0.113.250, 198.51.100.7, 10.9.8.20";
    assert_eq!(call(&g, attempt("10.9.9.9:40000", spoofed)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&g, attempt("192.0.2.5:40000", spoofed)).await.0, StatusCode::UNAUTHORIZED);
    let ips: Vec<String> = with_store(&g, |s| {
        let filter =
            credence_store::AuditFilter { action: Some("session.login_failed".into()), ..Default::default() };
        s.audit_records(&filter).unwrap().into_iter().map(|r| r.entry.client_ip).collect()
    });
    assert_eq!(ips, ["198.51.100.7", "192.0.2.5"]);
}
