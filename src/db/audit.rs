//! The audit log: one row per administrative action, written in the transaction that does it.

use diesel::prelude::*;

use super::DbConnection;
use super::models::AuditRow;
use super::schema::audit_log;

pub fn insert(conn: &mut DbConnection, row: &AuditRow) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The latest `limit` rows, newest first; only those about `target_id` when given.
pub fn latest(
    conn: &mut DbConnection,
    target_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table.into_boxed();
    if let Some(target_id) = target_id {
        query = query.filter(audit_log::target_id.eq(target_id));
    }
    query
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
}
