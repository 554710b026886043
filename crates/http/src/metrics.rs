//! CloudWatch metrics through the Embedded Metric Format.
//!
//! A Lambda function prints one JSON line per metric event to stdout; CloudWatch Logs turns it
//! into metrics with no API call, no client and no latency on the request path.
//!
//! Every environment publishes into the one namespace of its account, so every metric carries
//! the `Environment` dimension first: the dashboards and alarms of an environment
//! (infra/lib/metrics.ts) select its own figures by it, and a metric without it would match none
//! of them. The environment is named once per cold start ([`set_environment`], from
//! `observability::init`).

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

pub const NAMESPACE: &str = "WECARE.DIGITAL";

/// The dimension every metric carries first, valued with the function's `ENVIRONMENT`.
pub const ENVIRONMENT_DIMENSION: &str = "Environment";

static ENVIRONMENT: OnceLock<String> = OnceLock::new();

/// Names the environment this process counts in (the first call wins: one per cold start).
pub fn set_environment(environment: &str) {
    let _ = ENVIRONMENT.set(environment.to_string());
}

/// `dimensions` behind the `Environment` dimension, when the process has named its environment.
fn with_environment<'a>(environment: Option<&'a str>, dimensions: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    environment
        .map(|e| (ENVIRONMENT_DIMENSION, e))
        .into_iter()
        .chain(dimensions.iter().copied())
        .collect()
}

/// One value of a metric: name, CloudWatch unit (`Count`, `Seconds`, `Percent`, …) and value.
pub type Datum<'a> = (&'a str, &'a str, f64);

/// Builds the EMF document for `metrics`, all with the given dimensions.
pub fn document(metrics: &[Datum<'_>], dimensions: &[(&str, &str)], epoch_millis: i64) -> Value {
    let mut doc = Map::new();
    let names: Vec<&str> = dimensions.iter().map(|(k, _)| *k).collect();
    let declared: Vec<Value> = metrics
        .iter()
        .map(|(name, unit, _)| json!({ "Name": name, "Unit": unit }))
        .collect();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": epoch_millis,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": declared,
            }],
        }),
    );
    for (k, v) in dimensions {
        doc.insert((*k).into(), Value::String((*v).into()));
    }
    for (name, _, value) in metrics {
        // Whole numbers as integers (a count reads `1`, not `1.0`).
        let v = if value.fract() == 0.0 && value.abs() < 9e15 {
            json!(*value as i64)
        } else {
            json!(value)
        };
        doc.insert((*name).into(), v);
    }
    Value::Object(doc)
}

/// Builds the EMF document for a count of 1 of `metric` with the given dimensions.
pub fn count_document(metric: &str, dimensions: &[(&str, &str)], epoch_millis: i64) -> Value {
    document(&[(metric, "Count", 1.0)], dimensions, epoch_millis)
}

/// Emits `metrics` with the environment's dimension and then the given ones.
pub fn emit(metrics: &[Datum<'_>], dimensions: &[(&str, &str)]) {
    let dimensions = with_environment(ENVIRONMENT.get().map(String::as_str), dimensions);
    println!("{}", document(metrics, &dimensions, chrono_millis()));
}

/// Emits a count of 1 for `metric` with the environment's dimension and then the given ones.
pub fn count(metric: &str, dimensions: &[(&str, &str)]) {
    emit(&[(metric, "Count", 1.0)], dimensions);
}

fn chrono_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_document_declares_its_metric_and_dimensions() {
        let doc = count_document("ContactCreated", &[("Function", "contacts-create")], 1);
        assert_eq!(doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0][0], "Function");
        assert_eq!(doc["ContactCreated"], 1);
        assert_eq!(doc["Function"], "contacts-create");
    }

    #[test]
    fn a_named_environment_comes_first_among_the_dimensions() {
        let dimensions = with_environment(Some("staging"), &[("Channel", "sms")]);
        let doc = count_document("DeliverySucceeded", &dimensions, 1);
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0],
            json!(["Environment", "Channel"])
        );
        assert_eq!(doc["Environment"], "staging");
        assert_eq!(with_environment(None, &[("Channel", "sms")]), vec![("Channel", "sms")]);
    }
}
