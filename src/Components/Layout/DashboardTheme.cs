using MudBlazor;

namespace Dashboard.Components.Layout;

/// <summary>Colours chosen for contrast (WCAG 2.2 AA) in both themes; outcomes never rely on colour alone.</summary>
public static class DashboardTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1d4e89",
            Secondary = "#5c4d7d",
            AppbarBackground = "#1d4e89",
            Success = "#1b6e3a",
            Warning = "#8a5300",
            Error = "#b3261e",
            Info = "#0b5c8e",
            TextSecondary = "rgba(0,0,0,0.70)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8cb8ef",
            Secondary = "#c3b5e8",
            AppbarBackground = "#16263d",
            Success = "#7fd69b",
            Warning = "#f0b45a",
            Error = "#ff8a80",
            Info = "#7cc4f2",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "6px" },
    };
}
