namespace Dashboard.Testing;

/// <summary>The seeded app with an ingest key, on real Kestrel so hub clients can connect.</summary>
public sealed class LiveApp : IngestionApp
{
    protected override bool Kestrel => true;
}
