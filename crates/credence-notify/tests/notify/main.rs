//! Delivery against real peers on 127.0.0.1 started by the tests — an HTTP receiver that
//! checks signatures and an SMTP sink — and configuration loading.

mod channels;
mod config;
mod email;
mod support;
mod webhook;

use chrono::{DateTime, Utc};
use credence_notify::{Bilingual, Notification, NotificationKind, NotifyConfig};

pub const SECRET: &str = "whsec-test-7f3a";

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The environment the tests hand to the loader.
pub fn env(name: &str) -> Option<String> {
    match name {
        "HOOK_SECRET" => Some(SECRET.to_owned()),
        "SMTP_PASSWORD" => Some("smtp-pass".to_owned()),
        "EMPTY_VAR" => Some(String::new()),
        _ => None,
    }
}

pub fn load(text: &str) -> NotifyConfig {
    NotifyConfig::from_toml(text, "notify.toml", env).unwrap_or_else(|e| panic!("{e}"))
}

/// A case escalated for 张伟, as the engine would write it to the outbox.
pub fn escalation() -> Notification {
    Notification {
        id: 42,
        kind: NotificationKind::CaseEscalated,
        recipient: "张伟".to_owned(),
        title: Bilingual::new("客户逾期：案件已升级", "Customer overdue: case escalated"),
        text: Bilingual::new(
            "福建华信机械有限公司（C0000001）红色预警案件已逾期，已升级至您处理。\n请在24小时内提交止损方案。",
            "The red-alert case of Fujian Huaxin Machinery Co. (C0000001) is overdue and was \
             escalated to you.\nPlease submit a stop-loss plan within 24 hours.",
        ),
        payload: serde_json::json!({
            "case_id": 7,
            "customer_id": "C0000001",
            "level": "red",
            "due_at": "2026-11-02T08:00:00Z",
        }),
        attempts: 0,
        delivered: Vec::new(),
    }
}
