//! CloudWatch metrics through the Embedded Metric Format.
//!
//! A Lambda function prints one JSON line per metric event to stdout; CloudWatch Logs turns it
//! into metrics with no API call, no client and no latency on the request path.

use serde_json::{json, Map, Value};

pub const NAMESPACE: &str = "WECARE.DIGITAL";

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

/// Emits `metrics` with the given dimensions.
pub fn emit(metrics: &[Datum<'_>], dimensions: &[(&str, &str)]) {
    println!("{}", document(metrics, dimensions, chrono_millis()));
}

/// Emits a count of 1 for `metric`.
pub fn count(metric: &str, dimensions: &[(&str, &str)]) {
    let now = chrono_millis();
    println!("{}", count_document(metric, dimensions, now));
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
}
