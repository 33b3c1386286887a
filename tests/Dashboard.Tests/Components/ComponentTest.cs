using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Dashboard.Tests.Components;

/// <summary>
/// A bUnit context set up for MudBlazor components, one per test. MudBlazor's services are
/// <see cref="IAsyncDisposable"/> only, so the context is disposed asynchronously.
/// </summary>
public abstract partial class ComponentTest : IAsyncLifetime
{
    protected ComponentTest()
    {
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
    }

    protected BunitContext Context { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Context.DisposeAsync();

    /// <summary>An element's text as a reader sees it: runs of whitespace collapsed, ends trimmed.</summary>
    protected static string TextOf(IElement element) => Whitespace().Replace(element.TextContent, " ").Trim();

    /// <summary>What an outcome chip inside an element says: its word, and its time if it shows one.</summary>
    protected static (string Word, string? Time) ChipIn(IElement element)
    {
        var chip = element.ClassList.Contains("outcome") ? element
            : element.QuerySelector(".outcome") ?? throw new InvalidOperationException($"No outcome in: {element.OuterHtml}");
        var time = chip.QuerySelector(".outcome__time");
        return (TextOf(chip.QuerySelector(".outcome__word")!), time is null ? null : TextOf(time));
    }

    /// <summary>The drawing of the first icon inside an element, to tell icons apart.</summary>
    protected static string IconIn(IElement element) => element.QuerySelector("svg")?.InnerHtml
        ?? throw new InvalidOperationException($"No icon in: {element.OuterHtml}");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
