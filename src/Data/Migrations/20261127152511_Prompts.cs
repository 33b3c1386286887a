using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class Prompts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_prompts_subject_id_due_at",
                table: "prompts");

            migrationBuilder.CreateIndex(
                name: "ix_prompts_device_id_due_at",
                table: "prompts",
                columns: new[] { "device_id", "due_at" });

            migrationBuilder.CreateIndex(
                name: "ix_prompts_subject_id_due_at",
                table: "prompts",
                columns: new[] { "subject_id", "due_at" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_prompts_device_id_due_at",
                table: "prompts");

            migrationBuilder.DropIndex(
                name: "ix_prompts_subject_id_due_at",
                table: "prompts");

            migrationBuilder.CreateIndex(
                name: "ix_prompts_subject_id_due_at",
                table: "prompts",
                columns: new[] { "subject_id", "due_at" });
        }
    }
}
