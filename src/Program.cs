using Dashboard.Audit;
using Dashboard.Components;
using Dashboard.Data;
using Dashboard.Domain;
using Dashboard.Features;
using Dashboard.Features.Alerts.Sources;
using Dashboard.Features.Photos;
using Dashboard.Features.Prompts;
using Dashboard.Features.Reports;
using Dashboard.Features.Trails;
using Dashboard.Features.Transparency;
using Dashboard.Health;
using Dashboard.Hosting;
using Dashboard.Ingestion;
using Dashboard.Live;
using Dashboard.Security;
using Dashboard.Simulator;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
using var startupLoggerFactory = LoggerFactory.Create(logging => logging.AddConsole());
var startupLogger = startupLoggerFactory.CreateLogger("Dashboard.Startup");

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddOptions<MatchingOptions>().BindConfiguration(MatchingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
var databaseSource = builder.AddDashboardData(startupLogger);
builder.Services.AddSingleton<LocationPartitions>();
builder.Services.AddHostedService<LocationPartitionMaintenance>();
builder.Services.AddSingleton<AuditLog>();
builder.Services.AddSingleton<DemoSeeder>();
builder.Services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.Section).ValidateDataAnnotations()
    .PostConfigure(o => o.Enabled ??= databaseSource == DatabaseSourceKind.Embedded);
builder.Services.AddSingleton<DemoBackfill>();
builder.Services.AddHostedService<DemoTraffic>();
builder.AddFeatures();
builder.AddAlertSources();
var signInMode = builder.AddDashboardAuthentication();
builder.AddIngestion();
builder.AddLive();
builder.AddResilientBackplane();
builder.Services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<PromptScheduler>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<PromptScheduler>());
builder.Services.AddOptions<Dashboard.Features.Retention.RetentionOptions>().BindConfiguration(Dashboard.Features.Retention.RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<Dashboard.Features.Retention.PhotoRetention>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<Dashboard.Features.Retention.PhotoRetention>());
builder.Services.AddDashboardHealth();
builder.AddGracefulShutdown();

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddProblemDetails();

var app = builder.Build();

if (args.Contains("migrate"))
{
    // The explicit migration command for Production: `dotnet Dashboard.dll migrate`.
    try
    {
        await app.Services.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
    }
    finally
    {
        app.Services.GetService<EmbeddedPostgres>()?.Stop();
    }

    return;
}

// First, so that HSTS, the Entra ID redirect URI and the client address see what the browser sees.
app.UseDashboardForwardedHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}

// Pages get a friendly page for 404 and the like; the hub and the APIs keep their bare status codes.
app.UseWhen(
    context => !context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/hubs"),
    pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
app.UseGracefulShutdown();
app.UseSignInRateLimit();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseSecurityHeaders();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapDashboardHealth();
if (signInMode == SignInMode.Development)
{
    app.MapDevSignIn();
}

app.MapSignOut();
app.MapIngestion();
app.MapLive();
app.MapPhotos();
app.MapTrails();
app.MapReports();
app.MapTransparency();
if (app.Environment.IsDevelopment())
{
    app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
}
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

startupLogger.LogInformation("Database: {Source}; sign-in: {SignIn}", databaseSource, signInMode);
await app.RunAsync();

/// <summary>The entry point, visible to the test hosts.</summary>
public partial class Program;
