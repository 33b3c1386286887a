using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dashboard.src.Data.Migrations
{
    /// <inheritdoc />
    public partial class OversightTools : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "monitoring_reviews",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: false),
                    due_on = table.Column<DateOnly>(type: "date", nullable: false),
                    reviewed_by = table.Column<Guid>(type: "uuid", nullable: false),
                    reviewed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    conditions = table.Column<string>(type: "jsonb", nullable: false),
                    frequency_appropriate = table.Column<bool>(type: "boolean", nullable: false),
                    frequency_note = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    representations = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: true),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    reasons = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    next_due_on = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_monitoring_reviews", x => x.id);
                    table.ForeignKey(
                        name: "fk_monitoring_reviews_subjects_subject_id",
                        column: x => x.subject_id,
                        principalTable: "subjects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "threshold_proposals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    accept_match = table.Column<double>(type: "double precision", nullable: false),
                    reject_match = table.Column<double>(type: "double precision", nullable: false),
                    accept_liveness = table.Column<double>(type: "double precision", nullable: false),
                    reject_liveness = table.Column<double>(type: "double precision", nullable: false),
                    effective_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    replay_summary = table.Column<string>(type: "jsonb", nullable: true),
                    proposed_by = table.Column<Guid>(type: "uuid", nullable: false),
                    proposed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    decided_by = table.Column<Guid>(type: "uuid", nullable: true),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    decision_reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    policy_version = table.Column<int>(type: "integer", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_threshold_proposals", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_subjects_review_due_on",
                table: "subjects",
                column: "review_due_on");

            migrationBuilder.CreateIndex(
                name: "ix_monitoring_reviews_subject_id_reviewed_at",
                table: "monitoring_reviews",
                columns: new[] { "subject_id", "reviewed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_threshold_proposals_state_proposed_at",
                table: "threshold_proposals",
                columns: new[] { "state", "proposed_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "monitoring_reviews");

            migrationBuilder.DropTable(
                name: "threshold_proposals");

            migrationBuilder.DropIndex(
                name: "ix_subjects_review_due_on",
                table: "subjects");
        }
    }
}
