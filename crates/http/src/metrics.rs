//! CloudWatch metrics through the Embedded Metric Format.
//!
//! A Lambda function prints one JSON line per metric event to stdout; CloudWatch Logs turns it
//! into metrics with no API call, no client and no latency on the request path.

use serde_json::{json, Map, Value};

pub const NAMESPACE: &str = "WECARE.DIGITAL";

/// Builds the EMF document for a count of 1 of `metric` with the given dimensions.
pub fn count_document(metric: &str, dimensions: &[(&str, &str)], epoch_millis: i64) -> Value {
    let mut doc = Map::new();
    let names: Vec<&str> = dimensions.iter().map(|(k, _)| *k).collect();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": epoch_millis,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": [{ "Name": metric, "Unit": "Count" }],
            }],
        }),
    );
    for (k, v) in dimensions {
        doc.insert((*k).into(), Value::String((*v).into()));
    }
    doc.insert(metric.into(), json!(1));
    Value::Object(doc)
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
