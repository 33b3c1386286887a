using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dashboard.src.Data.Migrations
{
    /// <summary>
    /// Packed trails: each subject's fixes of each closed hour as one row (<c>trail_chunks</c>), so that a
    /// week's trail is read as 168 rows instead of 120,960 index entries. <c>trail_hours</c> lists the hours
    /// the packer has swept. A statement trigger on <c>location_pings</c> keeps the chunks complete: any fix
    /// stored for a swept hour marks its subject's chunk stale (<c>fixes</c> NULL: read from the raw fixes
    /// until repacked), under a shared advisory lock per hour that the packer takes exclusively while it
    /// packs that hour. Raw SQL only: the tables are outside the EF model, as <c>location_pings</c> is.
    /// </summary>
    public partial class TrailChunks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE trail_hours (
                    hour      timestamptz NOT NULL CONSTRAINT pk_trail_hours PRIMARY KEY,
                    packed_at timestamptz NOT NULL DEFAULT now()
                );

                -- fixes: 32 bytes a fix, oldest first, big-endian: microseconds since 1970 (int8), lat, lon,
                -- accuracy in metres (float8 each, exactly as stored). NULL: stale, read the raw fixes.
                CREATE TABLE trail_chunks (
                    subject_id uuid        NOT NULL,
                    hour       timestamptz NOT NULL,
                    fixes      bytea       NULL,
                    packed_at  timestamptz NOT NULL DEFAULT now(),
                    CONSTRAINT pk_trail_chunks PRIMARY KEY (subject_id, hour)
                );
                -- Doubles hardly compress: store out of line uncompressed, read without decompressing.
                ALTER TABLE trail_chunks ALTER COLUMN fixes SET STORAGE EXTERNAL;
                CREATE INDEX ix_trail_chunks_stale ON trail_chunks (hour) WHERE fixes IS NULL;

                CREATE FUNCTION location_pings_mark_trail_chunks() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF current_setting('transaction_isolation') <> 'read committed' THEN
                        -- The marking below must see the packer's latest commit, which only a fresh snapshot per statement does.
                        RAISE EXCEPTION 'Fixes are stored in READ COMMITTED transactions only: packed trails stay complete that way'
                            USING ERRCODE = 'feature_not_supported';
                    END IF;
                    -- The packer holds an hour's lock exclusively while it packs it: wait for it, then see what it wrote.
                    PERFORM pg_advisory_xact_lock_shared(7270013, h.key)
                    FROM (SELECT DISTINCT (extract(epoch FROM date_trunc('hour', at, 'UTC')) / 3600)::int AS key FROM new_rows) h
                    ORDER BY h.key;
                    INSERT INTO trail_chunks (subject_id, hour, fixes)
                    SELECT DISTINCT n.subject_id, date_trunc('hour', n.at, 'UTC'), NULL::bytea
                    FROM new_rows n
                    WHERE EXISTS (SELECT 1 FROM trail_hours t WHERE t.hour = date_trunc('hour', n.at, 'UTC'))
                    ON CONFLICT (subject_id, hour) DO UPDATE SET fixes = NULL, packed_at = now();
                    RETURN NULL;
                END;
                $$;

                CREATE TRIGGER location_pings_mark_trail_chunks
                    AFTER INSERT ON location_pings
                    REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION location_pings_mark_trail_chunks();

                -- Emptying the fixes empties what was packed from them.
                CREATE FUNCTION location_pings_truncate_trail_chunks() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM trail_chunks;
                    DELETE FROM trail_hours;
                    RETURN NULL;
                END;
                $$;

                CREATE TRIGGER location_pings_truncate_trail_chunks
                    AFTER TRUNCATE ON location_pings
                    FOR EACH STATEMENT EXECUTE FUNCTION location_pings_truncate_trail_chunks();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS location_pings_truncate_trail_chunks ON location_pings;
                DROP FUNCTION IF EXISTS location_pings_truncate_trail_chunks();
                DROP TRIGGER IF EXISTS location_pings_mark_trail_chunks ON location_pings;
                DROP FUNCTION IF EXISTS location_pings_mark_trail_chunks();
                DROP TABLE IF EXISTS trail_chunks;
                DROP TABLE IF EXISTS trail_hours;
                """);
        }
    }
}
