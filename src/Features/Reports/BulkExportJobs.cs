using System.Collections.Concurrent;
using Dashboard.Security;

namespace Dashboard.Features.Reports;

/// <summary>
/// Bulk exports a page has started: the page creates one, the browser downloads it from
/// <c>/api/reports/bulk/{id}.zip</c> (once, by the same user), and the page reads its progress and can
/// cancel it. Held in memory on the instance that serves the page and the download (sticky sessions).
/// </summary>
public sealed class BulkExportJobs(TimeProvider clock)
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<Guid, Job> _jobs = new();

    public enum JobState
    {
        Waiting,
        Running,
        Completed,
        Cancelled,
        Failed,
    }

    public sealed class Job(Guid id, Guid userId, BulkExportReports.Filter filter, IReadOnlyList<Guid> breachIds, DateTimeOffset createdAt) : IDisposable
    {
        private int _done;
        private int _state = (int)JobState.Waiting;

        public Guid Id { get; } = id;
        public Guid UserId { get; } = userId;
        public BulkExportReports.Filter Filter { get; } = filter;
        public IReadOnlyList<Guid> BreachIds { get; } = breachIds;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public CancellationTokenSource Cancellation { get; } = new();
        public int Total => BreachIds.Count;
        public int Done => Volatile.Read(ref _done);
        public JobState State => (JobState)Volatile.Read(ref _state);

        public void Progress(int done) => Volatile.Write(ref _done, done);

        /// <summary>Only one download runs a job.</summary>
        public bool TryStart() => Interlocked.CompareExchange(ref _state, (int)JobState.Running, (int)JobState.Waiting) == (int)JobState.Waiting;

        public void Finish(JobState state) => Volatile.Write(ref _state, (int)state);

        public void Dispose() => Cancellation.Dispose();
    }

    public Job Create(CurrentUser user, BulkExportReports.Filter filter, IReadOnlyList<Guid> breachIds)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = clock.GetUtcNow();
        foreach (var old in _jobs.Values.Where(j => now - j.CreatedAt > Keep))
        {
            if (_jobs.TryRemove(old.Id, out var removed))
            {
                removed.Dispose();
            }
        }

        var job = new Job(Guid.NewGuid(), user.Id, filter, breachIds, now);
        _jobs[job.Id] = job;
        return job;
    }

    /// <summary>The job if it belongs to the user; null otherwise (as if it did not exist).</summary>
    public Job? Find(Guid id, CurrentUser user) =>
        user is not null && _jobs.TryGetValue(id, out var job) && job.UserId == user.Id ? job : null;

    public void Cancel(Guid id, CurrentUser user)
    {
        if (Find(id, user) is { } job)
        {
            if (job.State == JobState.Waiting)
            {
                job.Finish(JobState.Cancelled);
            }

            job.Cancellation.Cancel();
        }
    }
}
