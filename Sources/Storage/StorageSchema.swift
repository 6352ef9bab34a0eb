import GRDB

/// The database's numbered migrations, applied in order at open. Never edit
/// a shipped migration: add the next one.
enum StorageSchema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      // Live expressions; `body` is StorageCoding.encodeBody (everything but the id).
      try db.execute(
        sql: """
          CREATE TABLE expressions (
            wfid TEXT NOT NULL,
            expid TEXT NOT NULL,
            subid TEXT NOT NULL,
            status TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (wfid, expid, subid)
          ) WITHOUT ROWID;

          -- The engine's FIFO queue; `seq` is the order, consumed rows are deleted.
          CREATE TABLE messages (
            seq INTEGER PRIMARY KEY,
            body TEXT NOT NULL
          );

          CREATE TABLE processes (
            wfid TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            revision TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'terminated', 'error', 'cancelled')),
            tree TEXT NOT NULL,
            fields TEXT,
            errors TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
          );
          CREATE INDEX processes_status_updated ON processes (status, updated_at);

          -- ProcessRecord.history, one row per line, append-only.
          CREATE TABLE history (
            wfid TEXT NOT NULL REFERENCES processes (wfid) ON DELETE CASCADE,
            line_no INTEGER NOT NULL,
            line TEXT NOT NULL,
            PRIMARY KEY (wfid, line_no)
          ) WITHOUT ROWID;

          -- Workitems handed to participants and not answered yet; `seq` keeps dispatch order.
          CREATE TABLE dispatches (
            wfid TEXT NOT NULL,
            expid TEXT NOT NULL,
            subid TEXT NOT NULL,
            seq INTEGER NOT NULL,
            participant TEXT NOT NULL,
            workitem TEXT NOT NULL,
            PRIMARY KEY (wfid, expid, subid)
          ) WITHOUT ROWID;

          -- The inbox: every event received, deduplicated, and what routing made of it.
          CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            received_at TEXT NOT NULL,
            dedup_key TEXT NOT NULL UNIQUE,
            raw BLOB NOT NULL,
            label TEXT,
            project TEXT,
            status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'routed', 'failed')),
            result TEXT,
            error TEXT
          );
          CREATE INDEX events_status ON events (status);

          -- Timers of live expressions (wait, :timeout); `due` in seconds since 1970.
          CREATE TABLE timers (
            wfid TEXT NOT NULL,
            expid TEXT NOT NULL,
            subid TEXT NOT NULL,
            kind TEXT NOT NULL,
            due REAL NOT NULL,
            PRIMARY KEY (wfid, expid, subid, kind)
          ) WITHOUT ROWID;
          CREATE INDEX timers_due ON timers (due);

          -- listen expressions waiting for events, by what they wait for (`key`), in the order they started.
          CREATE TABLE trackers (
            wfid TEXT NOT NULL,
            expid TEXT NOT NULL,
            subid TEXT NOT NULL,
            key TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (wfid, expid, subid)
          ) WITHOUT ROWID;

          -- What operators ask the running daemon to do (cancel, replay, launch, reroute).
          CREATE TABLE requests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'done', 'failed')),
            result TEXT
          );
          CREATE INDEX requests_status ON requests (status);

          -- Durable state of built-in participants (obsticket's locks), JSON by name.
          CREATE TABLE builtins (
            name TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
          ) WITHOUT ROWID;
          CREATE INDEX events_received_at ON events (received_at);
          """)
    }
    migrator.registerMigration("process-origin") { db in
      // What launched a process: the event, definition and conf used (JSON), or the command line.
      try db.execute(sql: "ALTER TABLE processes ADD COLUMN origin TEXT")
    }
    migrator.registerMigration("participant-calls") { db in
      // One row per participant call, for `robogrator show`: who served it, how it
      // ended, its stderr. `seq` is the order the calls started in.
      try db.execute(
        sql: """
          CREATE TABLE calls (
            seq INTEGER PRIMARY KEY,
            wfid TEXT NOT NULL,
            expid TEXT NOT NULL,
            subid TEXT NOT NULL,
            participant TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            resolution TEXT NOT NULL CHECK (resolution IN ('executable', 'alias', 'builtin', 'signal', 'unknown')),
            executable TEXT,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            duration_ms INTEGER NOT NULL,
            queue_wait_ms INTEGER NOT NULL,
            exit TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('running', 'ok', 'error', 'cancelled', 'interrupted')),
            error TEXT,
            stderr TEXT NOT NULL,
            stderr_total_bytes INTEGER NOT NULL
          );
          CREATE INDEX calls_wfid ON calls (wfid, seq);
          -- A start after a crash finds the calls it interrupted without reading the others.
          CREATE INDEX calls_running ON calls (seq) WHERE outcome = 'running';
          """)
    }
    return migrator
  }
}
