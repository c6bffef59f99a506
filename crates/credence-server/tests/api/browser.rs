//! The cockpit in a real browser: headless Chromium driven through chromedriver against
//! the server on a loopback socket, on the demo portfolio with warnings and policy run.
//! Three roles sign in and see only what they may; the language switches and is
//! remembered; a heat-map cell drills down to its customers and to one customer's page;
//! a case is acted on; the numbers on screen equal the API's. Screenshots of every screen
//! are saved under `target/tmp/browser-screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (or `CHROMEDRIVER` and `CHROMIUM`
//! naming the two). Without them the test is skipped with a message, except with
//! `CI=true`, where it fails.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};

use super::*;

/// chromedriver and the browser, when both are installed.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let find = |var: &str, candidates: &[&str]| {
        std::env::var(var)
            .ok()
            .map(PathBuf::from)
            .filter(|p| p.exists())
            .or_else(|| candidates.iter().map(PathBuf::from).find(|p| p.exists()))
    };
    let driver = find("CHROMEDRIVER", &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    let browser =
        find("CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]);
    match (driver, browser) {
        (Some(d), Some(b)) => Some((d, b)),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!(
                "the browser test needs chromium and chromium-driver (apt-get install chromium chromium-driver)"
            )
        }
        _ => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipping the browser test: install chromium and chromium-driver"
            );
            None
        }
    }
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser session on the cockpit.
struct Browser {
    client: Client,
    base: String,
    shots: PathBuf,
}

impl Browser {
    async fn open(
        driver: &std::path::Path,
        chromium: &std::path::Path,
        base: String,
        profile: &std::path::Path,
    ) -> (Browser, Driver) {
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1800", "--lang=en-US",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": { "intl.accept_languages": "en-US,en" },
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        (Browser { client, base, shots }, driver)
    }

    async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn path(&self) -> String {
        let u = self.client.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        }
    }

    async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    async fn attr(&self, css: &str, name: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .attr(name)
            .await
            .unwrap()
            .unwrap_or_default()
    }

    async fn exists(&self, css: &str) -> bool {
        !self.client.find_all(Locator::Css(css)).await.unwrap().is_empty()
    }

    /// Waits (at most 20 seconds) for an element to appear.
    async fn until(&self, locator: Locator<'_>) -> fantoccini::elements::Element {
        self.client.wait().at_most(std::time::Duration::from_secs(20)).for_element(locator).await.unwrap()
    }

    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    async fn sign_in(&self, user: &str) {
        self.goto("/login").await;
        self.client.find(Locator::Id("username")).await.unwrap().send_keys(user).await.unwrap();
        self.client.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
        self.client.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
        self.until(Locator::Id("signed-in")).await;
    }

    async fn sign_out(&self) {
        self.client.find(Locator::Id("sign-out")).await.unwrap().click().await.unwrap();
        self.until(Locator::Id("username")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cockpit_in_a_real_browser() {
    let Some((driver, chromium)) = tools() else { return };
    let f = fixture();
    // Warnings open cases; the policy routes limit requests.
    with_store(&f, |store| {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        let catalogue = credence_engine::types::indicators::Catalogue::builtin();
        let pack = credence_engine::types::warning::RulePack::builtin(&catalogue);
        let options = credence_engine::WarnOptions {
            as_of,
            scope: credence_engine::WarnScope::All,
            now: "2026-09-30T08:00:00Z".into(),
        };
        credence_engine::warn(store, &pack, &options).unwrap();
        credence_engine::apply_policy(
            store,
            &credence_engine::types::control::CreditPolicy::builtin(),
            as_of,
            &"2026-09-30T09:00:00Z".into(),
        )
        .unwrap();
        // The risk manager signs the first steps of the routes the policy made.
        let known = credence_server::accounts::known_authorities(
            &credence_engine::types::control::CreditPolicy::builtin(),
        );
        for authority in ["sales_manager", "credit_manager"] {
            credence_server::accounts::set_authority(
                store,
                "risk",
                authority,
                true,
                &known,
                &credence_server::accounts::Requester::Operator,
                &credence_server::accounts::Actor::cli("setup"),
            )
            .unwrap();
        }
    });
    // A billing portfolio graded, with terms routed; the risk manager signs their first steps.
    let billing = add_billing(&f, 400);
    with_store(&f, |store| {
        let known = credence_server::accounts::known_authorities(
            &credence_engine::types::control::CreditPolicy::builtin(),
        );
        credence_server::accounts::set_authority(
            store,
            "risk",
            "billing_supervisor",
            true,
            &known,
            &credence_server::accounts::Requester::Operator,
            &credence_server::accounts::Actor::cli("setup"),
        )
        .unwrap();
    });
    // The account manager sees one business line.
    let (_, list, _) = call(&f, get("/api/v1/customers?per_page=1", &login(&f, "risk").await)).await;
    let line = list["items"][0]["business_line"].as_str().unwrap().to_owned();
    add(&f, "seller", "account_manager", &[&line]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = f.state.clone();
    tokio::spawn(async move { credence_server::serve_on(state, listener, std::future::pending()).await });
    let profile = tempfile::tempdir().unwrap();
    let (b, _driver) = Browser::open(&driver, &chromium, base, profile.path()).await;
    let api = login(&f, "risk").await;

    // --- Risk manager: sign in, the cockpit's numbers are the API's.
    b.goto("/cockpit").await;
    assert!(b.path().await.starts_with("/login"), "signing in comes first");
    b.shot("01-login").await;
    b.sign_in("risk").await;
    b.goto("/cockpit").await;
    assert_eq!(b.text("h1").await, "Portfolio cockpit");
    let (_, o, _) = call(&f, get("/api/v1/portfolio", &api)).await;
    assert_eq!(b.attr("#total-customers", "data-value").await, o["totals"]["customers"].to_string());
    assert_eq!(b.attr("#total-exposure", "data-value").await, o["totals"]["exposure"].to_string());
    assert_eq!(b.attr("#total-el", "data-value").await, o["totals"]["expected_loss"].to_string());
    for tile in o["levels"].as_array().unwrap() {
        let level = tile["level"].as_str().unwrap();
        assert_eq!(
            b.attr(&format!("#tile-{level}-customers"), "data-value").await,
            tile["customers"].to_string()
        );
        assert_eq!(
            b.attr(&format!("#tile-{level}-exposure"), "data-value").await,
            tile["exposure"].to_string()
        );
        let shown = b.text(&format!("#tile-{level}-customers")).await;
        assert_eq!(shown, credence_cockpit::format::count(tile["customers"].as_u64().unwrap()));
    }
    assert!(b.exists("svg#grades").await && b.exists("svg#heat").await && b.exists("svg#pd-trend").await);
    b.shot("02-cockpit-en").await;

    // --- Drill down from a heat-map cell to its customers, then to one customer.
    let cell = &o["heat"]["cells"][0];
    let links = b.client.find_all(Locator::Css("svg#heat a.cell")).await.unwrap();
    assert_eq!(links.len(), o["heat"]["cells"].as_array().unwrap().len());
    b.client.execute("document.querySelector('svg#heat a.cell').dispatchEvent(new MouseEvent('click', {bubbles: true}))", vec![]).await.unwrap();
    b.until(Locator::Id("list-total")).await;
    assert!(b.path().await.starts_with("/customers?"), "{}", b.path().await);
    assert_eq!(b.attr("#list-total", "data-value").await, cell["customers"].to_string());
    b.shot("03-customers-of-a-cell").await;
    let first = b.client.find(Locator::Css("#customer-table tbody tr td a")).await.unwrap();
    let id = first.text().await.unwrap();
    first.click().await.unwrap();
    b.until(Locator::Id("customer-id")).await;
    assert_eq!(b.text("#customer-id").await, id);
    let (_, page, _) = call(&f, get(&format!("/api/v1/customers/{id}"), &api)).await;
    let grade = page["rating"]["rating"]["letter_grade"].as_str().unwrap();
    assert!(b.text("#rating").await.contains(grade), "the grade on screen is the API's");
    assert!(b.exists("svg#radar").await && b.exists("#indicators").await && b.exists("#history").await);
    b.shot("04-customer-360").await;
    // An electricity account of the billing portfolio passes to this customer: its page
    // lists the account with its position and grade.
    let mut account = with_store(&f, |store| {
        store.record(credence_records::Kind::Accounts, "3500000001").unwrap().unwrap()
    });
    account.set("customer_id", id.as_str());
    stage_records(&f, &[account]);
    b.goto(&format!("/customers/{id}")).await;
    b.until(Locator::Id("held-accounts")).await;
    assert!(b.text("#held-accounts").await.contains("3500000001"));
    b.client.execute("document.getElementById('held-accounts').scrollIntoView()", vec![]).await.unwrap();
    b.shot("04b-customer-held-account").await;

    // --- Act on a case; the API sees the action.
    b.goto("/work").await;
    b.shot("05-work-queue").await;
    let case_link = b.client.find(Locator::Css("#cases tbody a")).await.unwrap();
    case_link.click().await.unwrap();
    b.until(Locator::Id("form-act")).await;
    let case_id = b.path().await.trim_start_matches("/cases/").to_owned();
    b.client.find(Locator::Id("template")).await.unwrap().select_by_value("payment_stop").await.unwrap();
    b.client
        .find(Locator::Id("action"))
        .await
        .unwrap()
        .send_keys("called the CFO; shipments stopped")
        .await
        .unwrap();
    b.client.find(Locator::Css("#form-act button")).await.unwrap().click().await.unwrap();
    b.until(Locator::Css(".notice.ok")).await;
    assert!(b.text("#case-log").await.contains("called the CFO"));
    let (_, view, _) = call(&f, get(&format!("/api/v1/cases/{case_id}"), &api)).await;
    assert!(
        view["log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "action" && e["note"].as_str().unwrap().contains("called the CFO")),
        "{view}"
    );
    b.shot("06-case-acted").await;
    b.goto("/control").await;
    assert!(b.exists("#requests").await, "the policy routed requests to the risk manager");
    b.shot("07-credit-control").await;
    b.goto("/models").await;
    assert!(b.exists("#rules").await);
    b.shot("08-models-and-rules").await;
    b.goto("/billing").await;
    assert_eq!(b.text("h1").await, "Billing accounts");
    assert!(b.text(".note").await.contains(&format!("{} accounts", billing.summary.accounts)));
    assert!(b.exists("#billing-grades").await && b.exists("#arrears-trend").await);
    assert!(b.exists("#billing-requests button").await, "requests routed to the billing supervisor");
    let pending = with_store(&f, |store| store.billing_request_counts().unwrap()["pending"]);
    assert!(b.text("#billing-request-counts").await.starts_with(&format!("{pending} pending")));
    b.shot("08b-billing").await;
    let first = b.attr("#billing-requests form", "action").await;
    b.client
        .find(Locator::Css("#billing-requests input[name=comment]"))
        .await
        .unwrap()
        .send_keys("arrears checked")
        .await
        .unwrap();
    b.client
        .find(Locator::Css("#billing-requests button[value=approve]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.until(Locator::Css(".notice")).await;
    let id: i64 = first.rsplit('/').next().unwrap().parse().unwrap();
    let decided = with_store(&f, |store| store.billing_request(id).unwrap().unwrap().1);
    assert_eq!((decided.len(), decided[0].decided_by.as_str()), (1, "risk"));

    // --- Switch to Chinese: the page changes and the choice is remembered.
    b.goto("/cockpit").await;
    b.client.find(Locator::Id("switch-language")).await.unwrap().click().await.unwrap();
    b.until(Locator::Css("html[lang='zh-CN']")).await;
    assert_eq!(b.text("h1").await, "风险预警驾驶舱");
    b.shot("09-cockpit-zh").await;
    b.goto("/billing").await;
    assert_eq!(b.text("h1").await, "电费客户信用");
    b.shot("09b-billing-zh").await;
    b.sign_out().await;
    b.sign_in("risk").await;
    b.goto("/cockpit").await;
    assert_eq!(b.text("h1").await, "风险预警驾驶舱", "remembered for the user");

    // --- Account manager: one business line, no portfolio, no financials.
    b.sign_out().await;
    b.sign_in("seller").await;
    b.goto("/").await;
    assert!(b.path().await.starts_with("/customers"), "no cockpit for sales: {}", b.path().await);
    assert!(
        !b.exists("header nav a[href='/cockpit']").await
            && !b.exists("header nav a[href='/models']").await
            && !b.exists("header nav a[href='/billing']").await
    );
    let (_, mine, _) = call(&f, get("/api/v1/customers?per_page=1", &login(&f, "seller").await)).await;
    assert_eq!(b.attr("#list-total", "data-value").await, mine["total"].to_string());
    b.shot("10-sales-customers").await;
    b.goto("/cockpit").await;
    assert!(b.exists("#message-heading").await, "the cockpit is refused");
    let own = mine["items"][0]["customer_id"].as_str().unwrap();
    b.goto(&format!("/customers/{own}")).await;
    let indicators = b.text("#indicators").await;
    assert!(
        !indicators.contains("Current ratio") && !indicators.contains("流动比率"),
        "no financials for sales"
    );
    b.shot("11-sales-customer").await;
    let outside = o["largest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["customer_id"].as_str().unwrap())
        .find(|c| !mine["items"].as_array().unwrap().iter().any(|m| m["customer_id"] == *c));
    if let Some(other) = outside {
        let (s, _, _) =
            call(&f, get(&format!("/api/v1/customers/{other}"), &login(&f, "seller").await)).await;
        if s == StatusCode::NOT_FOUND {
            b.goto(&format!("/customers/{other}")).await;
            assert!(b.exists("#message-heading").await, "outside the scope is not shown");
        }
    }

    // --- Auditor: reads everything, changes nothing.
    b.sign_out().await;
    b.sign_in("audit").await;
    b.goto("/cockpit").await;
    assert_eq!(b.attr("#total-customers", "data-value").await, o["totals"]["customers"].to_string());
    b.goto(&format!("/cases/{case_id}")).await;
    assert!(!b.exists("#form-act").await, "no forms for the auditor");
    b.goto("/control").await;
    assert!(!b.exists("#blocked button").await && !b.exists("#requests button").await);
    b.shot("12-auditor-control").await;
    b.client.close().await.unwrap();
    drop(profile);
}
