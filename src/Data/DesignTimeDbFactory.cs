using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace Dashboard.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the app or a database.</summary>
internal sealed class DesignTimeDbFactory : IDesignTimeDbContextFactory<DashboardDb>
{
    public DashboardDb CreateDbContext(string[] args)
    {
        var dataSourceBuilder = new NpgsqlDataSourceBuilder("Host=localhost;Database=design_time");
        dataSourceBuilder.UseNetTopologySuite();
        var options = new DbContextOptionsBuilder<DashboardDb>();
        DataSetup.Configure(options, dataSourceBuilder.Build());
        return new DashboardDb(options.Options);
    }
}
