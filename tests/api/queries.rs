//! What SQL the application under test runs, observed from outside through diesel's own
//! instrumentation hook: once [`install`]ed, every connection opened afterwards in this process
//! reports the statements it starts, filed under the database it connected to.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, Once};

use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};

static STATEMENTS: LazyLock<Mutex<HashMap<String, Vec<String>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// One per connection: learns its database when the connection is established.
struct Recorder {
    database: Option<String>,
}

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                self.database = Some(url.to_owned());
            }
            InstrumentationEvent::StartQuery { query, .. } => {
                if let Some(database) = &self.database {
                    STATEMENTS
                        .lock()
                        .unwrap()
                        .entry(database.clone())
                        .or_default()
                        .push(query.to_string());
                }
            }
            _ => {}
        }
    }
}

/// Records the statements of every connection opened from now on. Call before spawning the app.
pub fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        set_default_instrumentation(|| Some(Box::new(Recorder { database: None })))
            .expect("install diesel's default instrumentation");
    });
}

/// The statements so far on connections to a database whose URL (or SQLite path) is part of
/// `database_url`.
pub fn statements(database_url: &str) -> Vec<String> {
    STATEMENTS
        .lock()
        .unwrap()
        .iter()
        .filter(|(database, _)| database_url.contains(database.as_str()))
        .flat_map(|(_, statements)| statements.clone())
        .collect()
}
