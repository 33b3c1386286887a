using Dashboard.Domain;

namespace Dashboard.Simulator;

/// <summary>The fixed shape of the demo service: who works there and where the demo caseload lives.</summary>
public static class DemoData
{
    /// <summary>Central London: the demo caseload lives within about 9 km of it.</summary>
    public static readonly LatLon CityCentre = new(51.5072, -0.1276);

    public const int SubjectCount = 60;

    public static readonly string[] DeviceModels = ["GuardWatch GW-3", "GuardWatch GW-4", "TrackWell S2"];

    public static string DeviceId(int index) => $"demo-{index:0000}";

    public static readonly (string Team, string Supervisor, string[] Officers)[] Teams =
    [
        ("North London", "supervisor1", ["officer1", "officer2", "officer3"]),
        ("South London", "supervisor2", ["officer4", "officer5", "officer6"]),
    ];

    public static readonly Dictionary<string, string> DisplayNames = new()
    {
        ["officer1"] = "Amira Hassan",
        ["officer2"] = "Ben Okafor",
        ["officer3"] = "Chloe Price",
        ["officer4"] = "Dev Patel",
        ["officer5"] = "Erin Walsh",
        ["officer6"] = "Femi Adeyemi",
        ["supervisor1"] = "Grace Lindqvist",
        ["supervisor2"] = "Harun Demir",
        ["auditor1"] = "Isla Moreno",
    };

    internal static readonly string[] GivenNames =
    [
        "Aaron", "Bilal", "Callum", "Dean", "Elliot", "Fraser", "Gareth", "Hamza", "Imran", "Jordan",
        "Kieran", "Liam", "Marcus", "Nathan", "Owen", "Patrick", "Reece", "Sami", "Tyler", "Wes",
        "Abbie", "Bethany", "Casey", "Danielle", "Ellie", "Jade", "Kayleigh", "Leah", "Megan", "Niamh",
    ];

    internal static readonly string[] FamilyNames =
    [
        "Abbott", "Barker", "Coleman", "Doyle", "Ellis", "Fletcher", "Gordon", "Hughes", "Iqbal", "Jennings",
        "Kemp", "Lowe", "Mensah", "Nolan", "O'Brien", "Parry", "Quinn", "Rahman", "Sutton", "Turner",
    ];

    internal static readonly string[] Streets =
    [
        "Albion Road", "Balfour Street", "Cavendish Close", "Dalston Lane", "Elmore Street", "Fernhead Road",
        "Gascoyne Road", "Harrow Road", "Ivydale Road", "Jeddo Road", "Kingsland Road", "Lordship Lane",
        "Mare Street", "Navarino Road", "Old Kent Road", "Peckham Rye", "Queensbridge Road", "Ridley Road",
        "Stockwell Park Road", "Tooting High Street", "Upper Street", "Vauxhall Walk", "Walworth Road",
    ];

    internal static readonly string[] ExclusionNames =
    [
        "Former partner's street", "Victim's workplace", "Town centre (licensing condition)",
        "Named address", "Football ground (match days)",
    ];
}
