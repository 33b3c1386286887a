namespace Dashboard.Data;

/// <summary>
/// The parts of the schema EF Core migrations cannot express: the day-partitioned location table and
/// the audit log's append-only trigger. Migrations run these; they are kept here to be read in one place.
/// </summary>
public static class SchemaSql
{
    public const string CreateLocationPings = """
        CREATE TABLE location_pings (
            device_id   varchar(64)              NOT NULL,
            at          timestamptz              NOT NULL,
            subject_id  uuid                     NOT NULL,
            location    geography(point, 4326)   NOT NULL,
            accuracy_m  double precision         NOT NULL,
            battery_pct smallint                 NULL,
            event_id    uuid                     NULL,
            received_at timestamptz              NOT NULL DEFAULT now(),
            CONSTRAINT pk_location_pings PRIMARY KEY (device_id, at)
        ) PARTITION BY RANGE (at);

        -- Trails are read by subject and time range.
        CREATE INDEX ix_location_pings_subject_id_at ON location_pings (subject_id, at);
        -- Time-window scans and retention: tiny next to a B-tree.
        CREATE INDEX ix_location_pings_at_brin ON location_pings USING brin (at);
        -- A resent fix with the same event id is a duplicate even if the device id was mistyped.
        CREATE UNIQUE INDEX ux_location_pings_event_id_at ON location_pings (event_id, at);

        -- Creates the missing daily partitions between two days (inclusive). Safe to call concurrently.
        CREATE FUNCTION ensure_location_partitions(from_day date, to_day date) RETURNS integer
        LANGUAGE plpgsql AS $$
        DECLARE
            d date := from_day;
            created integer := 0;
            partition_name text;
        BEGIN
            PERFORM pg_advisory_xact_lock(7270011);
            WHILE d <= to_day LOOP
                partition_name := 'location_pings_' || to_char(d, 'YYYYMMDD');
                IF to_regclass(partition_name) IS NULL THEN
                    EXECUTE format(
                        'CREATE TABLE %I PARTITION OF location_pings FOR VALUES FROM (%L) TO (%L)',
                        partition_name,
                        to_char(d, 'YYYY-MM-DD') || ' 00:00:00+00',
                        to_char(d + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
                    created := created + 1;
                END IF;
                d := d + 1;
            END LOOP;
            RETURN created;
        END;
        $$;
        """;

    public const string DropLocationPings = """
        DROP FUNCTION IF EXISTS ensure_location_partitions(date, date);
        DROP TABLE IF EXISTS location_pings;
        """;

    public const string AuditAppendOnly = """
        CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_events is append-only: % is refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$;

        CREATE TRIGGER audit_events_no_update_delete
            BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();

        CREATE TRIGGER audit_events_no_truncate
            BEFORE TRUNCATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
        """;

    public const string DropAuditAppendOnly = """
        DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
        DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events;
        DROP FUNCTION IF EXISTS audit_events_refuse_change();
        """;
}
