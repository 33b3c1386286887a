using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dashboard.src.Data.Migrations
{
    /// <inheritdoc />
    public partial class AlertsAndBreaches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "breach_numbers");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "edited_at",
                table: "notes",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<uint>(
                name: "xmin",
                table: "notes",
                type: "xid",
                rowVersion: true,
                nullable: false,
                defaultValue: 0u);

            migrationBuilder.AddColumn<int>(
                name: "non_gps_fix_run",
                table: "devices",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "closed_reason",
                table: "alerts",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "excuse_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "excuse_by",
                table: "alerts",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "incident_id",
                table: "alerts",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_occurred_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "occurrences",
                table: "alerts",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "cancelled_at",
                table: "absences",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "cancelled_by",
                table: "absences",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "device_incidents",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    device_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    close_summary = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_device_incidents", x => x.id);
                    table.ForeignKey(
                        name: "fk_device_incidents_subjects_subject_id",
                        column: x => x.subject_id,
                        principalTable: "subjects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "zone_presences",
                columns: table => new
                {
                    zone_id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    inside = table.Column<bool>(type: "boolean", nullable: true),
                    since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    candidate = table.Column<bool>(type: "boolean", nullable: true),
                    candidate_count = table.Column<int>(type: "integer", nullable: false),
                    candidate_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_fix_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    open_alert_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_zone_presences", x => x.zone_id);
                    table.ForeignKey(
                        name: "fk_zone_presences_zones_zone_id",
                        column: x => x.zone_id,
                        principalTable: "zones",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_entity_type_entity_id",
                table: "audit_events",
                columns: new[] { "entity_type", "entity_id" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_incident_id",
                table: "alerts",
                column: "incident_id");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_kind_raised_at",
                table: "alerts",
                columns: new[] { "kind", "raised_at" });

            migrationBuilder.CreateIndex(
                name: "ix_device_incidents_device_id",
                table: "device_incidents",
                column: "device_id",
                unique: true,
                filter: "closed_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_device_incidents_subject_id_started_at",
                table: "device_incidents",
                columns: new[] { "subject_id", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_zone_presences_subject_id",
                table: "zone_presences",
                column: "subject_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "device_incidents");

            migrationBuilder.DropTable(
                name: "zone_presences");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_entity_type_entity_id",
                table: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_alerts_incident_id",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_kind_raised_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "edited_at",
                table: "notes");

            migrationBuilder.DropColumn(
                name: "xmin",
                table: "notes");

            migrationBuilder.DropColumn(
                name: "non_gps_fix_run",
                table: "devices");

            migrationBuilder.DropColumn(
                name: "closed_reason",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "excuse_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "excuse_by",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "incident_id",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "last_occurred_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "occurrences",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "cancelled_at",
                table: "absences");

            migrationBuilder.DropColumn(
                name: "cancelled_by",
                table: "absences");

            migrationBuilder.DropSequence(
                name: "breach_numbers");
        }
    }
}
