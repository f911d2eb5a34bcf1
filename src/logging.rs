//! Log output: env_logger's lines (`GATEHOUSE_LOG_FORMAT=text`, the default), or one JSON object
//! per line (`json`) with the record's key-values as fields, for log collectors. `RUST_LOG`
//! filters either way.

use std::io::Write as _;

use log::kv::{Key, Value as KvValue, VisitSource};
use serde_json::{Map, Value};

use crate::config::LogFormat;

/// Starts logging; call once, before anything logs.
pub fn init(format: LogFormat) {
    init_with(format, "info");
}

/// [`init`] with another level when `RUST_LOG` is unset (the command line logs warnings only).
pub fn init_with(format: LogFormat, default_filter: &str) {
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default_filter));
    if format == LogFormat::Json {
        builder.format(|buf, record| {
            let timestamp = buf.timestamp_millis().to_string();
            writeln!(buf, "{}", json_line(&timestamp, record))
        });
    }
    builder.init();
}

/// One record as a JSON object: `timestamp`, `level`, `target`, `message`, then its key-values
/// (which never replace those four).
pub fn json_line(timestamp: &str, record: &log::Record<'_>) -> String {
    let mut fields = Map::new();
    fields.insert("timestamp".to_owned(), Value::from(timestamp));
    fields.insert("level".to_owned(), Value::from(record.level().as_str()));
    fields.insert("target".to_owned(), Value::from(record.target()));
    fields.insert("message".to_owned(), Value::from(record.args().to_string()));
    let mut collector = Fields(&mut fields);
    let _visiting_a_map_cannot_fail = record.key_values().visit(&mut collector);
    Value::Object(fields).to_string()
}

struct Fields<'a>(&'a mut Map<String, Value>);

impl<'kvs> VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: KvValue<'kvs>) -> Result<(), log::kv::Error> {
        let value = if let Some(number) = value.to_u64() {
            Value::from(number)
        } else if let Some(number) = value.to_i64() {
            Value::from(number)
        } else if let Some(number) = value.to_f64() {
            Value::from(number)
        } else if let Some(flag) = value.to_bool() {
            Value::from(flag)
        } else {
            Value::from(value.to_string())
        };
        self.0.entry(key.as_str().to_owned()).or_insert(value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_becomes_one_json_object_with_its_fields() {
        let kvs: [(&str, KvValue<'_>); 4] = [
            ("status", KvValue::from(404_u16)),
            ("latency_ms", KvValue::from(1.25_f64)),
            ("route", KvValue::from("/api/auth/get-session")),
            ("level", KvValue::from("forged")),
        ];
        let line = json_line(
            "2026-12-02T10:00:00.000Z",
            &log::Record::builder()
                .level(log::Level::Info)
                .target("gatehouse::access")
                .args(format_args!("GET \"quoted\"\nnext"))
                .key_values(&kvs)
                .build(),
        );
        assert!(!line.contains('\n'), "{line}");
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["timestamp"], "2026-12-02T10:00:00.000Z");
        assert_eq!(parsed["level"], "INFO");
        assert_eq!(parsed["target"], "gatehouse::access");
        assert_eq!(parsed["message"], "GET \"quoted\"\nnext");
        assert_eq!(parsed["status"], 404);
        assert_eq!(parsed["latency_ms"], 1.25);
        assert_eq!(parsed["route"], "/api/auth/get-session");
    }
}
