//! Running the server: the jobs' schedules as the API and the cockpit show them, and the
//! connection pool after the database cut its connections (as a PostgreSQL restart does):
//! requests go on being served on new connections instead of failing on dead ones.

use super::*;

/// `GET /api/v1/jobs` (portfolio readers): an instance without jobs says so; one with the
/// default schedules lists them with their next run in the business time zone (+08:00),
/// and the latest runs of every instance. The models page shows the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_and_their_next_runs_are_shown() {
    let f = fixture();
    let risk = login(&f, "risk").await;
    let (status, body, _) = call(&f, get("/api/v1/jobs", &risk)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["time_zone"], "Asia/Shanghai");
    assert_eq!(body["scheduled_here"], false);
    assert_eq!(body["schedules"], json!([]));
    let jobs = credence_server::jobs::JobConfig::from_settings(
        &credence_server::config::Settings::default().jobs,
        chrono_tz::Asia::Shanghai,
        false,
    )
    .unwrap();
    f.state.0.jobs.set(jobs).unwrap();
    with_store(&f, |s| {
        assert!(
            s.claim_job("warnings:2026-09-30T06:30", "a", "2026-09-30T00:00:00Z", "2026-09-30T01:00:00Z")
                .unwrap()
        );
        s.finish_job("warnings:2026-09-30T06:30", "a", &"2026-09-30T00:00:05Z".into(), "ok: 300 evaluated")
            .unwrap();
    });
    let (_, body, _) = call(&f, get("/api/v1/jobs", &risk)).await;
    assert_eq!(body["scheduled_here"], true);
    let schedules: Vec<(&str, &str)> = body["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["job"].as_str().unwrap(), s["schedule"].as_str().unwrap()))
        .collect();
    assert_eq!(schedules, [("nightly_rating", "0 2 * * *"), ("warnings", "30 6 * * *")]);
    for s in body["schedules"].as_array().unwrap() {
        let next = s["next_run"].as_str().unwrap();
        assert!(next.ends_with("+08:00"), "{next}");
    }
    assert_eq!(body["latest_runs"][0]["run"], "warnings:2026-09-30T06:30");
    assert_eq!(body["latest_runs"][0]["status"], "ok: 300 evaluated");
    let (status, page, _) = call(&f, get("/models", &risk)).await;
    assert_eq!(status, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("Scheduled jobs") && page.contains("30 6 * * *") && page.contains("ok: 300 evaluated")
    );
    assert!(page.contains("Warning run 2026-09-30T06:30") && page.contains("Nightly rating"), "{page}");
    assert!(
        page.contains("rule pack 2026-") && page.contains("model 2026-"),
        "the footer names the versions"
    );
    // In Chinese, the jobs and the footer's artefacts are named in Chinese.
    let zh = risk.apply(Request::get("/models").header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9"));
    let (status, page, _) = call(&f, zh.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(page.contains("预警运行 2026-09-30T06:30") && page.contains("夜间评级"), "{page}");
    assert!(page.contains("预警规则包 2026-") && page.contains("评级模型 2026-"), "{page}");
    let sales = login(&f, "sales").await;
    assert_eq!(call(&f, get("/api/v1/jobs", &sales)).await.0, StatusCode::FORBIDDEN);
}

/// Every connection of the server's pool is terminated by the database; the next
/// requests are answered (the pool checks a connection before handing it out and
/// replaces the dead ones), and `/metrics` shows the pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_recovers_when_the_database_drops_its_connections() {
    let Some(f) = sync(pg_fixture) else { return };
    let name = format!("credence-pool-{}", std::process::id());
    let db = format!("{}&application_name={name}", f.db);
    let mut config = ServerConfig::new(&db);
    config.as_of = Some(chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap());
    let state = sync(|| AppState::open(config).unwrap());
    let ready = |state: &AppState| {
        let app = app(state.clone());
        async move {
            let r = app.oneshot(Request::get("/readyz").body(Body::empty()).unwrap()).await.unwrap();
            r.status()
        }
    };
    // Several requests at once, so the pool holds several connections.
    let first = futures_join(&state, &ready).await;
    assert!(first.iter().all(|s| *s == StatusCode::OK), "{first:?}");
    let (url, _) = f.pg_schema.clone().unwrap();
    let killed: i64 = sync(|| {
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let rows = admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&name],
            )
            .unwrap();
        rows.len() as i64
    });
    assert!(killed >= 1, "the pool's connections were found");
    let after = futures_join(&state, &ready).await;
    assert!(after.iter().all(|s| *s == StatusCode::OK), "{after:?}");
    let metrics =
        app(state.clone()).oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    let text = String::from_utf8(metrics.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(text.contains("\ncredence_db_connections "), "{text}");
    // PostgreSQL clients close by blocking: not on an async thread.
    sync(move || drop((state, f)));
}

/// Runs `check` four times at once.
async fn futures_join<F, Fut>(state: &AppState, check: &F) -> Vec<StatusCode>
where
    F: Fn(&AppState) -> Fut,
    Fut: std::future::Future<Output = StatusCode> + Send + 'static,
{
    let handles: Vec<_> = (0..4).map(|_| tokio::spawn(check(state))).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
