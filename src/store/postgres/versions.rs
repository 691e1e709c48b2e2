//! Approved versions in PostgreSQL: a version row, its files and its carries, written in one
//! transaction under the versions' table lock, so that two approvals of one roadmap at once get
//! consecutive numbers (or the second sees the first's order and is refused), never a clash.

use chrono::DateTime;
use postgres::GenericClient;

use super::{Postgres, read, write};
use crate::store::versions::already_approved;
use crate::store::{Carry, NewVersion, Order, Rule, StoreError, Version, VersionFile, Versions};

const SELECT: &str =
    "SELECT id, roadmap, number, document, order_number, order_date, approved_by, recorded_at FROM versions";

impl Versions for Postgres {
    fn approve(&mut self, version: &NewVersion) -> Result<Version, StoreError> {
        self.run(|c| {
            let mut tx = c.transaction().map_err(write)?;
            // Readers go on; another approval waits until this one commits or rolls back.
            tx.batch_execute("LOCK TABLE versions IN EXCLUSIVE MODE").map_err(write)?;
            let o = &version.order;
            let held = tx
                .query_opt(
                    "SELECT number FROM versions
                     WHERE roadmap = $1 AND document = $2 AND order_number = $3 AND order_date = $4",
                    &[&version.roadmap, &o.document, &o.number, &o.date],
                )
                .map_err(write)?;
            if let Some(row) = held {
                return Err(already_approved(&version.roadmap, o, row.get(0)));
            }
            let number: i64 = tx
                .query_one("SELECT coalesce(max(number), 0) + 1 FROM versions WHERE roadmap = $1", &[&version.roadmap])
                .map_err(write)?
                .get(0);
            let id = insert_into(&mut tx, version, number, None)?;
            tx.commit().map_err(write)?;
            Ok(version.recorded(id, number))
        })
    }

    fn versions(&self, roadmap: Option<&str>) -> Result<Vec<Version>, StoreError> {
        let rows = self.run(|c| {
            c.query(
                // Ordered as SQLite orders text: by its bytes, whatever the database's collation.
                &format!("{SELECT} WHERE $1::text IS NULL OR roadmap = $1 ORDER BY roadmap COLLATE \"C\", number"),
                &[&roadmap],
            )
            .map_err(read)
        })?;
        rows.iter().map(version_of).collect()
    }

    fn version_files(&self, version: i64) -> Result<Vec<VersionFile>, StoreError> {
        self.run(|c| {
            let rows = c
                .query("SELECT path, content FROM version_files WHERE version = $1 ORDER BY position", &[&version])
                .map_err(read)?;
            rows.iter()
                .map(|r| Ok(VersionFile { path: r.try_get(0).map_err(read)?, text: r.try_get(1).map_err(read)? }))
                .collect()
        })
    }

    fn carries(&self) -> Result<Vec<(i64, Carry)>, StoreError> {
        let rows = self.run(|c| {
            c.query(
                "SELECT version, occurrence, target, rule, point, title FROM carries ORDER BY version, occurrence COLLATE \"C\"",
                &[],
            )
            .map_err(read)
        })?;
        rows.iter()
            .map(|r| {
                let version: i64 = r.try_get(0).map_err(read)?;
                let rule: &str = r.try_get(3).map_err(read)?;
                let rule = Rule::parse(rule)
                    .ok_or_else(|| StoreError::Corrupt {
                        id: version, what: format!("правило перехода «{rule}»")
                    })?;
                Ok((
                    version,
                    Carry {
                        from: r.try_get(1).map_err(read)?,
                        to: r.try_get(2).map_err(read)?,
                        rule,
                        point: r.try_get(4).map_err(read)?,
                        title: r.try_get(5).map_err(read)?,
                    },
                ))
            })
            .collect()
    }
}

/// Inserts a version as `number` with its files and carries inside the caller's transaction
/// and returns its id. With `id`, the version keeps that number (a copy from another store; the
/// caller moves the identity sequence past the ids copied).
pub(super) fn insert_into(
    tx: &mut impl GenericClient,
    version: &NewVersion,
    number: i64,
    id: Option<i64>,
) -> Result<i64, StoreError> {
    let o = &version.order;
    let id: i64 = tx
        .query_one(
            "INSERT INTO versions (id, roadmap, number, document, order_number, order_date, approved_by, recorded_at,
                                   recorded_ts)
             VALUES (coalesce($1, nextval(pg_get_serial_sequence('versions', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9)
             RETURNING id",
            &[
                &id,
                &version.roadmap,
                &number,
                &o.document,
                &o.number,
                &o.date,
                &version.approved_by,
                &version.recorded_at.to_rfc3339(),
                &version.recorded_at.timestamp(),
            ],
        )
        .map_err(write)?
        .get(0);
    let (paths, texts): (Vec<&str>, Vec<&str>) =
        version.files.iter().map(|f| (f.path.as_str(), f.text.as_str())).unzip();
    tx.execute(
        "INSERT INTO version_files (version, position, path, content)
         SELECT $1, f.n, f.path, f.content FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS f (path, content, n)",
        &[&id, &paths, &texts],
    )
    .map_err(write)?;
    let from: Vec<&str> = version.carries.iter().map(|c| c.from.as_str()).collect();
    let to: Vec<Option<&str>> = version.carries.iter().map(|c| c.to.as_deref()).collect();
    let rule: Vec<&str> = version.carries.iter().map(|c| c.rule.name()).collect();
    let point: Vec<&str> = version.carries.iter().map(|c| c.point.as_str()).collect();
    let title: Vec<&str> = version.carries.iter().map(|c| c.title.as_str()).collect();
    tx.execute(
        "INSERT INTO carries (version, occurrence, target, rule, point, title)
         SELECT $1, c.occurrence, c.target, c.rule, c.point, c.title
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS c (occurrence, target, rule, point, title)",
        &[&id, &from, &to, &rule, &point, &title],
    )
    .map_err(write)?;
    Ok(id)
}

/// A version from its row.
fn version_of(r: &postgres::Row) -> Result<Version, StoreError> {
    let id: i64 = r.try_get(0).map_err(read)?;
    let recorded_at: &str = r.try_get(7).map_err(read)?;
    Ok(Version {
        id,
        roadmap: r.try_get(1).map_err(read)?,
        number: r.try_get(2).map_err(read)?,
        order: Order {
            document: r.try_get(3).map_err(read)?,
            number: r.try_get(4).map_err(read)?,
            date: r.try_get(5).map_err(read)?,
        },
        approved_by: r.try_get(6).map_err(read)?,
        recorded_at: DateTime::parse_from_rfc3339(recorded_at)
            .map_err(|_| StoreError::Corrupt { id, what: "время записи".into() })?,
    })
}
