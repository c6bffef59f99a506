//! Webhook delivery: one signed JSON POST per attempt.

use std::io::Read;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::WebhookEndpoint;
use crate::error::WebhookError;
use crate::notification::{Bilingual, Notification};
use crate::signature::sign;

/// The JSON body: the wire form of a notification, kept apart from [`Notification`] so
/// that changing one does not silently change the other.
#[derive(Serialize)]
struct WebhookBody<'a> {
    id: i64,
    kind: &'a str,
    recipient: &'a str,
    title: &'a Bilingual,
    text: &'a Bilingual,
    payload: &'a serde_json::Value,
}

/// The body POSTed for a notification. It is the same at every attempt; only the
/// timestamp and signature headers change.
pub fn webhook_body(notification: &Notification) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&WebhookBody {
        id: notification.id,
        kind: notification.kind.code(),
        recipient: &notification.recipient,
        title: &notification.title,
        text: &notification.text,
        payload: &notification.payload,
    })
}

/// How much of a refusing receiver's answer is kept for the error message.
const ANSWER_EXCERPT_BYTES: u64 = 512;

/// POSTs the notification to the endpoint, signed at `now`.
pub(crate) fn post(
    endpoint: &WebhookEndpoint,
    notification: &Notification,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let body = webhook_body(notification).map_err(WebhookError::Encode)?;
    let delivery = notification.id.to_string();
    post_signed(endpoint, notification.kind.code(), &delivery, &body, now)
}

/// POSTs a JSON body to the endpoint with the same signature headers as a notification
/// (`X-Credence-Event`, `-Delivery`, `-Timestamp`, `-Signature`), signed at `now`: for
/// other messages a receiver checks the same way, such as audit checkpoints.
pub fn post_signed(
    endpoint: &WebhookEndpoint,
    event: &str,
    delivery: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let timestamp = now.timestamp();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(endpoint.timeout))
        // Statuses are classified here, not turned into errors.
        .http_status_as_error(false)
        // A receiver that moved must be reconfigured, not followed: a redirect would
        // send the signed body somewhere nobody chose.
        .max_redirects(0)
        .max_redirects_will_error(false)
        // The endpoint is called directly; proxy settings are not read from the
        // environment.
        .proxy(None)
        .user_agent(concat!("credence-notify/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let request_error = |source| match source {
        ureq::Error::Timeout(_) => WebhookError::TimedOut {
            url: endpoint.url.clone(),
            after: endpoint.timeout,
            source: Box::new(source),
        },
        source => WebhookError::Request { url: endpoint.url.clone(), source: Box::new(source) },
    };
    let mut response = agent
        .post(&endpoint.url)
        .header("Content-Type", "application/json")
        .header("X-Credence-Event", event)
        .header("X-Credence-Delivery", delivery)
        .header("X-Credence-Timestamp", timestamp.to_string())
        .header("X-Credence-Signature", sign(endpoint.secret.expose(), timestamp, body))
        .send(body)
        .map_err(request_error)?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let mut answer = Vec::new();
    // The answer only explains the refusal; failing to read it changes nothing.
    let _ = response.body_mut().as_reader().take(ANSWER_EXCERPT_BYTES).read_to_end(&mut answer);
    Err(WebhookError::Status { status, body: String::from_utf8_lossy(&answer).into_owned() })
}
