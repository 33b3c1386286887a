using Dashboard.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dashboard.Data.Migrations
{
    /// <summary>
    /// Trails are read by an index-only scan: the (subject_id, at) index of location_pings carries the
    /// position and accuracy, so a week of fixes is read from the index alone. Raw SQL only: the table is
    /// outside the EF model (partitioned, created by SQL), so the model and its snapshot do not change.
    /// </summary>
    [DbContext(typeof(DashboardDb))]
    [Migration("20261127214500_TrailCoveringIndex")]
    public partial class TrailCoveringIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE INDEX ix_location_pings_subject_id_at_covering ON location_pings (subject_id, at) INCLUDE (location, accuracy_m);
                DROP INDEX ix_location_pings_subject_id_at;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE INDEX ix_location_pings_subject_id_at ON location_pings (subject_id, at);
                DROP INDEX ix_location_pings_subject_id_at_covering;
                """);
        }
    }
}
