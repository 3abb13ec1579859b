//! Paired devices: browsers holding a session cookie. Only a hash of each credential is
//! stored, so a copy of the database does not let anyone in.

use rusqlite::{params, OptionalExtension, Row};

use super::{new_id, now_rfc3339, Store, StoreError};

/// A device as stored (never the credential itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// `device-<uuid>`; what `tether devices revoke` takes.
    pub id: String,
    /// A human name, from the browser's user agent.
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, updated on each connection.
    pub last_seen_at: String,
    /// Set once revoked; a revoked device never authenticates again.
    pub revoked_at: Option<String>,
}

const COLUMNS: &str = "id, name, created_at, last_seen_at, revoked_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<DeviceRecord> {
    Ok(DeviceRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        created_at: row.get(2)?,
        last_seen_at: row.get(3)?,
        revoked_at: row.get(4)?,
    })
}

impl Store {
    /// Records a new device whose credential hashes to `credential_hash`.
    pub fn create_device(&self, name: &str, credential_hash: &str) -> Result<DeviceRecord, StoreError> {
        let now = now_rfc3339();
        let record = DeviceRecord {
            id: new_id("device"),
            name: name.to_owned(),
            created_at: now.clone(),
            last_seen_at: now,
            revoked_at: None,
        };
        self.lock()?
            .prepare_cached("INSERT INTO devices (id, name, credential_hash, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![record.id, record.name, credential_hash, record.created_at, record.last_seen_at])?;
        Ok(record)
    }

    /// The unrevoked device holding this credential hash, marking it seen now.
    pub fn authenticate_device(&self, credential_hash: &str) -> Result<Option<DeviceRecord>, StoreError> {
        let conn = self.lock()?;
        let device = conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM devices WHERE credential_hash = ?1 AND revoked_at IS NULL"))?
                .query_row([credential_hash], from_row)
            .optional()?;
        if let Some(device) = &device {
            conn.prepare_cached("UPDATE devices SET last_seen_at = ?2 WHERE id = ?1")?
                .execute(params![device.id, now_rfc3339()])?;
        }
        Ok(device)
    }

    /// Every device, oldest first (revoked ones included, marked).
    pub fn list_devices(&self) -> Result<Vec<DeviceRecord>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM devices ORDER BY created_at, id"))?;
        let rows = stmt.query_map([], from_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Revokes a device; whether an unrevoked device had that id.
    pub fn revoke_device(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.lock()?
            .prepare_cached("UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
            .execute(params![id, now_rfc3339()])? > 0)
    }
}
