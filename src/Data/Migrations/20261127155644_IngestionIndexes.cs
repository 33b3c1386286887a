using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class IngestionIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_check_ins_policy_versions_policy_version",
                table: "check_ins");

            migrationBuilder.CreateIndex(
                name: "ix_prompts_pending_subject_id_due_at",
                table: "prompts",
                columns: new[] { "subject_id", "due_at" },
                filter: "status = 'Pending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_prompts_pending_subject_id_due_at",
                table: "prompts");

            migrationBuilder.AddForeignKey(
                name: "fk_check_ins_policy_versions_policy_version",
                table: "check_ins",
                column: "policy_version",
                principalTable: "policy_versions",
                principalColumn: "version",
                onDelete: ReferentialAction.Restrict);
        }
    }
}
