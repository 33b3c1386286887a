using Dashboard.Features.Alerts;
using Dashboard.Features.Alerts.Sources;
using Dashboard.Features.Board;
using Dashboard.Features.Breaches;
using Dashboard.Features.CheckIns;
using Dashboard.Features.Oversight;
using Dashboard.Features.Reviews;
using Dashboard.Features.Subjects;
using Dashboard.Features.Reports;
using Dashboard.Features.Trails;
using Dashboard.Features.Transparency;
using Dashboard.Features.Zones;

namespace Dashboard.Features;

public static class FeatureSetup
{
    /// <summary>The use cases the pages call: plain classes, one per use case, each with its own short-lived DbContext.</summary>
    public static void AddFeatures(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<Components.Maps.MapOptions>().BindConfiguration(Components.Maps.MapOptions.Section);
        builder.Services.AddSingleton<GetSubjects>();
        builder.Services.AddSingleton<GetSubject>();
        builder.Services.AddSingleton<RecordView>();
        builder.Services.AddSingleton<SubjectNotes>();
        builder.Services.AddSingleton<SubjectAbsences>();
        builder.Services.AddSingleton<AuditTrail.AuditTrail>();
        builder.Services.AddOptions<BoardOptions>().BindConfiguration("Board").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<GetDashboard>();
        builder.Services.AddSingleton<GetCheckIn>();
        builder.Services.AddOptions<ReviewOptions>().BindConfiguration(ReviewOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ListPendingReviews>();
        builder.Services.AddSingleton<ClaimReview>();
        builder.Services.AddSingleton<DecideReview>();
        builder.Services.AddSingleton<GetReview>();
        builder.Services.AddSingleton<GetReviewQuality>();
        builder.Services.AddSingleton<AlertRaiser>();
        builder.Services.AddBreachFeatures();
        builder.AddTrails();
        builder.Services.AddAlertFeatures();
        builder.Services.AddSingleton<Admin.IngestKeyAdmin>();
        builder.Services.AddSingleton<Retention.LocationRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Retention.LocationRetention>());
        builder.Services.AddOversight();
        builder.AddReports();
        builder.Services.AddTransparency();
        builder.Services.AddZones();
    }
}
