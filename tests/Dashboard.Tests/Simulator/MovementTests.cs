using Dashboard.Domain;
using Dashboard.Simulator;

namespace Dashboard.Tests.Simulator;

public class MovementTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(15);

    // Spans the spring clock change (29 March 2026), so 23-hour days are covered too.
    private static readonly DateOnly FirstDay = new(2026, 3, 2);

    private static readonly string[] IncidentActivities = ["exclusion zone", "late home"];

    public static TheoryData<int> People => [1, 7, 23, 42, 59];

    [Fact]
    public void The_same_person_gives_the_same_fixes_in_two_instances_whatever_order_they_are_asked_in()
    {
        var person = Person.Create(7);
        var first = person.NewMovement();
        var second = person.NewMovement();
        var instants = Enumerable.Range(0, 5 * 24 * 8).Select(i => Local(FirstDay, 0).AddMinutes(7.5 * i)).ToList();

        var forwards = instants.Select(first.At).ToList();
        var backwards = Enumerable.Reverse(instants).Select(second.At).Reverse().ToList();

        Assert.Equal(forwards, backwards);
        Assert.Equal(first.PlanFor(FirstDay.AddDays(2)), second.PlanFor(FirstDay.AddDays(2)));
    }

    [Fact]
    public void Different_people_lead_different_days()
    {
        var noon = Local(FirstDay, 12);

        Assert.NotEqual(Person.Create(7).NewMovement().At(noon).Position, Person.Create(8).NewMovement().At(noon).Position);
    }

    [Theory]
    [MemberData(nameof(People))]
    public void At_three_in_the_morning_the_person_is_at_home(int seed)
    {
        var person = Person.Create(seed);
        var movement = person.NewMovement();

        foreach (var day in Days(60))
        {
            var fix = movement.At(Local(day, 3));
            Assert.InRange(Geo.DistanceM(fix.Position, person.Home), 0, 30);
        }
    }

    [Theory]
    [MemberData(nameof(People))]
    public void At_midday_the_person_is_out_on_most_days(int seed)
    {
        var person = Person.Create(seed);
        var movement = person.NewMovement();

        var daysOut = Days(60).Count(day => Geo.DistanceM(movement.At(Local(day, 12)).Position, person.Home) > 300);

        Assert.True(daysOut >= 48, $"out at midday on {daysOut} of 60 days");
    }

    [Theory]
    [MemberData(nameof(People))]
    public void Consecutive_fixes_never_imply_more_than_15_metres_a_second(int seed)
    {
        var movement = Person.Create(seed).NewMovement();

        foreach (var day in Days(21))
        {
            SimulatedFix? previous = null;
            foreach (var (_, fix) in Sweep(movement, day))
            {
                if (previous is { } before)
                {
                    // Each fix may be off by its accuracy, so only movement beyond both errors counts.
                    var moved = Geo.DistanceM(before.Position, fix.Position) - before.AccuracyM - fix.AccuracyM;
                    Assert.True(moved / Step.TotalSeconds <= 15, $"{moved:F0} m beyond the error in 15 s on {day}");
                }

                previous = fix;
            }
        }
    }

    [Theory]
    [MemberData(nameof(People))]
    public void On_days_without_an_incident_the_person_never_enters_the_exclusion_zone(int seed)
    {
        var person = Person.Create(seed);
        var movement = person.NewMovement();

        foreach (var day in Days(60).Where(day => !IsIncidentDay(movement, day)))
        {
            foreach (var (at, fix) in Sweep(movement, day))
            {
                var distance = Geo.DistanceM(fix.Position, person.ExclusionCentre);
                Assert.True(distance > person.ExclusionRadiusM, $"{distance:F0} m from the centre at {at:u}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(People))]
    public void Incidents_happen_at_least_once_in_sixty_days_and_on_no_more_than_a_fifth_of_them(int seed)
    {
        var movement = Person.Create(seed).NewMovement();

        var incidentDays = Days(60).Count(day => IsIncidentDay(movement, day));

        Assert.InRange(incidentDays, 1, 12);
    }

    [Theory]
    [MemberData(nameof(People))]
    public void On_an_exclusion_zone_day_the_person_is_inside_the_zone_for_a_while(int seed)
    {
        var person = Person.Create(seed);
        var movement = person.NewMovement();
        var day = Days(120).First(day => movement.PlanFor(day).Any(p => p.Activity == "exclusion zone"));
        var visit = movement.PlanFor(day).First(p => p.Activity == "exclusion zone");

        var minutesInside = Sweep(movement, day)
            .Count(f => Geo.DistanceM(f.Fix.Position, person.ExclusionCentre) < person.ExclusionRadiusM) * Step.TotalMinutes;

        Assert.InRange((visit.To - visit.From).TotalMinutes, 10, 40);
        Assert.True(minutesInside >= 10, $"inside for {minutesInside} minutes on {day}");
    }

    [Theory]
    [MemberData(nameof(People))]
    public void On_a_late_day_the_person_is_away_from_home_after_curfew_starts(int seed)
    {
        var person = Person.Create(seed);
        var movement = person.NewMovement();
        var day = Days(120).First(day => movement.PlanFor(day).Any(p => p.Activity == "late home"));
        var late = movement.PlanFor(day).First(p => p.Activity == "late home");

        Assert.Equal(Local(day, 19), late.From);
        Assert.True(late.To >= Local(day, 19, 20), $"home at {late.To:u}");
        Assert.True(Geo.DistanceM(movement.At(Local(day, 19, 5)).Position, person.Home) > 120);
    }

    [Theory]
    [MemberData(nameof(People))]
    public void The_plan_covers_the_local_day_from_midnight_to_midnight_without_gaps(int seed)
    {
        var movement = Person.Create(seed).NewMovement();

        foreach (var day in Days(60))
        {
            var plan = movement.PlanFor(day);

            Assert.Equal(Local(day, 0), plan[0].From);
            Assert.Equal(Local(day.AddDays(1), 0), plan[^1].To);
            Assert.Equal("home", plan[0].Activity);
            Assert.Equal("home", plan[^1].Activity);
            Assert.All(plan.Zip(plan.Skip(1)), pair => Assert.Equal(pair.First.To, pair.Second.From));
            Assert.All(plan, p => Assert.True(p.To > p.From));
        }
    }

    [Theory]
    [MemberData(nameof(People))]
    public void Stays_last_from_20_minutes_to_5_hours_and_leaving_and_returning_keep_to_the_usual_hours(int seed)
    {
        var movement = Person.Create(seed).NewMovement();
        string[] places = ["work", "shops", "friend"];

        foreach (var day in Days(60).Where(day => !IsIncidentDay(movement, day)))
        {
            var plan = movement.PlanFor(day);

            Assert.InRange(plan[0].To, Local(day, 7, 30), Local(day, 9, 30));
            Assert.InRange(plan[^1].From, Local(day, 17), Local(day, 18, 45));
            Assert.All(plan.Where(p => places.Contains(p.Activity)), p => Assert.InRange((p.To - p.From).TotalMinutes, 20, 300.01));
        }
    }

    [Theory]
    [MemberData(nameof(People))]
    public void The_battery_stays_between_empty_and_full_and_is_near_full_at_seven(int seed)
    {
        var movement = Person.Create(seed).NewMovement();

        foreach (var day in Days(30))
        {
            Assert.All(Sweep(movement, day), f => Assert.InRange(f.Fix.BatteryPct, 0, 100));
            Assert.InRange(movement.At(Local(day, 7)).BatteryPct, 95, 100);
        }
    }

    [Fact]
    public void Now_and_then_the_battery_runs_low_in_the_evening()
    {
        var movement = Person.Create(7).NewMovement();

        var lowEvenings = Days(120).Count(day => movement.At(Local(day, 21, 30)).BatteryPct < 15);

        Assert.InRange(lowEvenings, 1, 30);
    }

    [Fact]
    public void Without_gps_the_watch_repeats_its_last_known_position_with_a_wide_accuracy()
    {
        var movement = Person.Create(7).NewMovement();
        var spells = 0;
        var minutesWithout = 0.0;
        SimulatedFix? previous = null;

        foreach (var (_, fix) in Days(200).SelectMany(day => Sweep(movement, day)))
        {
            if (!fix.HasGps)
            {
                minutesWithout += Step.TotalMinutes;
                Assert.Equal(500, fix.AccuracyM);
                if (previous is { HasGps: true } before)
                {
                    spells++;
                    Assert.Equal(before.Position, fix.Position);
                }
            }

            previous = fix;
        }

        Assert.True(spells > 0, "no spell without GPS in 200 days");
        Assert.InRange(minutesWithout / spells, 5, 20);
    }

    [Fact]
    public void A_day_at_fifteen_second_steps_can_be_swept()
    {
        var movement = Person.Create(42).NewMovement();

        var fixes = Sweep(movement, FirstDay).Count();

        Assert.Equal(24 * 60 * 4, fixes);
    }

    private static bool IsIncidentDay(Movement movement, DateOnly day) =>
        movement.PlanFor(day).Any(p => IncidentActivities.Contains(p.Activity));

    private static IEnumerable<DateOnly> Days(int count) => Enumerable.Range(0, count).Select(FirstDay.AddDays);

    private static DateTimeOffset Local(DateOnly day, int hour, int minute = 0) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, minute)), London));

    private static IEnumerable<(DateTimeOffset At, SimulatedFix Fix)> Sweep(Movement movement, DateOnly day)
    {
        var end = Local(day.AddDays(1), 0);
        for (var at = Local(day, 0); at < end; at += Step)
        {
            yield return (at, movement.At(at));
        }
    }

    /// <summary>Lays a person out the way the demo seeder does: home within 9 km of central London, exclusion zone 1.2-3 km from home.</summary>
    private sealed record Person(int Seed, LatLon Home, LatLon ExclusionCentre, double ExclusionRadiusM)
    {
        public static Person Create(int seed)
        {
            var home = Geo.Offset(DemoData.CityCentre, 1500 + (seed * 977 % 7500), seed * 61 % 360);
            var exclusion = Geo.Offset(home, 1200 + (seed * 389 % 1800), seed * 137 % 360);
            return new Person(seed, home, exclusion, 250 + (seed * 53 % 250));
        }

        public Movement NewMovement() => new(Seed, Home, ExclusionCentre, ExclusionRadiusM, London);
    }
}
