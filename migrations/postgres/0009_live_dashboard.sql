-- What the live dashboard reads, kept up to date as events arrive so that no page or
-- snapshot ever scans cell_events (SPEC §7: independent of the number of events).

-- Executions and errors per class and minute (unix minute), for the activity chart.
CREATE TABLE class_activity (
    class_id   TEXT NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    minute     BIGINT NOT NULL,
    executions BIGINT NOT NULL DEFAULT 0,
    errors     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (class_id, minute)
);

-- The cells each student has run successfully at least once, per notebook.
CREATE TABLE student_cells (
    student_id    BIGINT NOT NULL REFERENCES classroom_students (id) ON DELETE CASCADE,
    notebook_path TEXT NOT NULL,
    cell_id       TEXT NOT NULL,
    PRIMARY KEY (student_id, notebook_path, cell_id)
);

-- Per student and notebook: executions, cells run successfully, last use. A notebook's
-- completion is cells_ok over the most cells anyone in the class has completed in it.
CREATE TABLE student_notebooks (
    student_id    BIGINT NOT NULL REFERENCES classroom_students (id) ON DELETE CASCADE,
    class_id      TEXT NOT NULL,
    notebook_path TEXT NOT NULL,
    executions    BIGINT NOT NULL DEFAULT 0,
    cells_ok      BIGINT NOT NULL DEFAULT 0,
    last_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (student_id, notebook_path)
);
CREATE INDEX student_notebooks_best ON student_notebooks (class_id, notebook_path, cells_ok);

-- Privacy per class (S2.14): whether code and output are stored at all, and after how
-- many days they are purged (NULL: kept while the class exists).
ALTER TABLE classes ADD COLUMN store_code BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE classes ADD COLUMN retention_days INTEGER;

-- Bumped at every change of a student's row, so a dashboard applies the newest state
-- even when two updates reach it out of order.
ALTER TABLE classroom_students ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
