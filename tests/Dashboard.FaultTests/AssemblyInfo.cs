// Fault tests stop and start databases and kill processes on a shared 2-core machine: one at a time
// keeps their timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
