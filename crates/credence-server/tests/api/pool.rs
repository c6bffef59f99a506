//! The connection pool after the database cut its connections (as a PostgreSQL restart
//! does): requests go on being served on new connections instead of failing on dead ones.

use super::*;

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
