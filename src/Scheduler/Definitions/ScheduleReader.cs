using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Pipeline.Consumers.Discovery;
using Pipeline.Consumers.Execution;
using Pipeline.Messages.Naming;

namespace Pipeline.Scheduler.Definitions;

/// <summary>
/// Builds the schedules from <c>[Schedule]</c> attributes and the <c>Pipeline:Scheduler:Schedules</c> configuration
/// section, where an entry with an attribute schedule's name overrides it field by field. Every mistake is collected
/// and thrown together as a <see cref="ScheduleDefinitionException"/> naming the schedule, the field and the fix.
/// (Over 400 lines on purpose: every setting's check and its message sit side by side, so they stay consistent; the
/// texts themselves are parsed by <see cref="CronText"/>, <see cref="PeriodText"/> and <see cref="ScheduleArgs"/>.)
/// </summary>
internal sealed class ScheduleReader
{
    /// <summary>The configuration section: one child per schedule, keyed by its name.</summary>
    public const string Section = "Pipeline:Scheduler:Schedules";

    private const int MaxNameLength = 100;

    private static readonly string[] Keys = ["Function", "App", "Cron", "Period", "TimeZone", "Start", "Args", "Misfire", "MisfireWindow", "Overlap", "Enabled"];
    private static readonly TimeSpan MaxMisfireWindow = TimeSpan.FromDays(366);

    private readonly AppRegistry _registry;
    private readonly List<string> _problems = [];
    private readonly Dictionary<string, ScheduleDraft> _drafts = new(StringComparer.Ordinal);

    private ScheduleReader(AppRegistry registry)
    {
        _registry = registry;
    }

    /// <summary>Reads and validates every schedule; throws <see cref="ScheduleDefinitionException"/> listing every problem.</summary>
    public static ScheduleSet Read(AppRegistry registry, IConfiguration? configuration)
    {
        var reader = new ScheduleReader(registry);
        reader.ReadAttributes();
        if (configuration is not null)
        {
            reader.ReadConfiguration(configuration.GetSection(Section));
        }

        var schedules = reader._drafts.Values.Where(d => d.Enabled).Select(reader.Validate).OfType<ScheduleDefinition>().ToList();
        return reader._problems.Count > 0 ? throw new ScheduleDefinitionException(reader._problems) : new ScheduleSet(schedules);
    }

    private void ReadAttributes()
    {
        var callables = _registry.Apps.SelectMany(a => a.Functions.Values.Concat(a.Classes.Values.SelectMany(c => c.Methods.Values)));
        foreach (var callable in callables.OrderBy(c => c.DisplayName, StringComparer.Ordinal))
        {
            foreach (var attribute in callable.Schedules)
            {
                var origin = $"[Schedule] on {callable.DisplayName}";
                var name = Names.Normalize(attribute.Name ?? callable.Name);
                if (callable.Class is not null)
                {
                    Problem(name, origin, "is on a class method; schedules run functions only (as in Modal, a schedule takes no class parameters). Move it to a static [Function].");
                    continue;
                }

                if (!CheckName(name, attribute.Name ?? callable.Name, origin))
                {
                    continue;
                }

                if (_drafts.TryGetValue(name, out var existing))
                {
                    Problem(name, origin, $"has the same name as the schedule from {existing.Origin}. Give one of them Name = \"...\".");
                    continue;
                }

                _drafts[name] = new ScheduleDraft(name, origin)
                {
                    Callable = callable,
                    Cron = ScheduleField.Of(attribute.Cron, $"{origin}, Cron"),
                    Period = ScheduleField.Of(attribute.Period, $"{origin}, Period"),
                    TimeZone = ScheduleField.Of(attribute.TimeZone, $"{origin}, TimeZone"),
                    Misfire = ScheduleField.Of(attribute.Misfire.ToString(), $"{origin}, Misfire"),
                    MisfireWindow = ScheduleField.Of(attribute.MisfireWindow, $"{origin}, MisfireWindow"),
                    Overlap = ScheduleField.Of(attribute.Overlap.ToString(), $"{origin}, Overlap"),
                    Source = "attribute",
                };
            }
        }
    }

    private void ReadConfiguration(IConfigurationSection section)
    {
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in section.GetChildren())
        {
            var where = $"{Section}:{entry.Key}";
            var name = Names.Normalize(entry.Key);
            if (!CheckName(name, entry.Key, where))
            {
                continue;
            }

            if (claimed.TryGetValue(name, out var other))
            {
                Problem(name, where, $"names the same schedule as {Section}:{other} (names are compared in kebab-case). Keep one of them.");
                continue;
            }

            claimed[name] = entry.Key;
            foreach (var unknown in entry.GetChildren().Where(c => !Keys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            {
                Problem(name, $"{where}:{unknown.Key}", $"is not a schedule setting. Use {string.Join(", ", Keys)}.");
            }

            if (entry.Value is not null)
            {
                Problem(name, where, "is a plain value; a schedule is a section with Function and Cron or Period, for example Schedules:nightly:Function=app.report and Schedules:nightly:Cron=\"0 3 * * *\".");
                continue;
            }

            if (!_drafts.TryGetValue(name, out var draft))
            {
                draft = new ScheduleDraft(name, where) { Source = "configuration" };
                _drafts[name] = draft;
            }
            else
            {
                draft.Source = "attribute, overridden by configuration";
            }

            Override(draft, entry, where);
        }
    }

    // A setting given in configuration replaces the attribute's; Cron and Period replace each other.
    private void Override(ScheduleDraft draft, IConfigurationSection entry, string where)
    {
        string? Value(string key) => entry.GetSection(key).Value;
        if (Value("Function") is { } function)
        {
            draft.Function = new ScheduleField(function, $"{where}:Function");
            draft.Callable = null;
        }

        if (Value("App") is { } app)
        {
            draft.App = new ScheduleField(app, $"{where}:App");
            draft.Callable = null;
        }

        if (Value("Cron") is { } cron)
        {
            draft.Cron = new ScheduleField(cron, $"{where}:Cron");
            draft.Period = draft.Period.FromAttribute(draft.Origin) ? ScheduleField.None : draft.Period;
        }

        if (Value("Period") is { } period)
        {
            draft.Period = new ScheduleField(period, $"{where}:Period");
            draft.Cron = draft.Cron.FromAttribute(draft.Origin) ? ScheduleField.None : draft.Cron;
        }

        draft.TimeZone = Value("TimeZone") is { } zone ? new ScheduleField(zone, $"{where}:TimeZone") : draft.TimeZone;
        draft.Start = Value("Start") is { } start ? new ScheduleField(start, $"{where}:Start") : draft.Start;
        draft.Misfire = Value("Misfire") is { } misfire ? new ScheduleField(misfire, $"{where}:Misfire") : draft.Misfire;
        draft.MisfireWindow = Value("MisfireWindow") is { } window ? new ScheduleField(window, $"{where}:MisfireWindow") : draft.MisfireWindow;
        draft.Overlap = Value("Overlap") is { } overlap ? new ScheduleField(overlap, $"{where}:Overlap") : draft.Overlap;
        if (entry.GetSection("Args") is { } args && args.Exists())
        {
            draft.Args = args;
            draft.ArgsWhere = $"{where}:Args";
        }

        if (Value("Enabled") is { } enabled)
        {
            if (bool.TryParse(enabled, out var on))
            {
                draft.Enabled = on;
            }
            else
            {
                Problem(draft.Name, $"{where}:Enabled", $"is \"{enabled}\"; use true or false (false switches the schedule off).");
            }
        }
    }

    private ScheduleDefinition? Validate(ScheduleDraft draft)
    {
        var before = _problems.Count;
        var callable = draft.Callable ?? ResolveFunction(draft);
        var zone = ReadZone(draft);
        var timing = ReadTiming(draft, zone);
        var args = ReadArgs(draft, callable);
        var misfire = ReadEnum<ScheduleMisfire>(draft, draft.Misfire);
        var overlap = ReadEnum<ScheduleOverlap>(draft, draft.Overlap);
        var window = ReadWindow(draft, misfire);
        if (_problems.Count > before || callable is null || timing is null)
        {
            return null;
        }

        return new ScheduleDefinition
        {
            Name = draft.Name,
            App = callable.App,
            Function = callable.Name,
            Timing = timing,
            TimeZone = zone ?? TimeZoneInfo.Utc,
            Args = args,
            Misfire = misfire,
            MisfireWindow = window,
            Overlap = overlap,
            Source = draft.Source,
        };
    }

    private Callable? ResolveFunction(ScheduleDraft draft)
    {
        if (draft.Function.Value is not { Length: > 0 } text)
        {
            Problem(draft.Name, draft.Function.Where ?? $"{draft.Origin}:Function", "names no function. Set Function to \"app.function\" (for example \"reports.nightly-report\").");
            return null;
        }

        var parts = text.Trim().Split('.');
        string? app = draft.App.Value?.Trim();
        if (parts.Length > 2 || (parts.Length == 2 && app is not null))
        {
            Problem(draft.Name, draft.Function.Where!, $"is \"{text}\"; name a function as \"app.function\" (or give App and a plain Function). Schedules run functions only, not class methods.");
            return null;
        }

        if (parts.Length == 2)
        {
            app = parts[0];
        }
        else if (app is null)
        {
            if (_registry.Apps.Count != 1)
            {
                Problem(draft.Name, draft.Function.Where!, $"is \"{text}\" without an app, and {_registry.Apps.Count} apps are loaded ({string.Join(", ", _registry.Apps.Select(a => a.Name))}). Write \"app.{text}\", or set App.");
                return null;
            }

            app = _registry.Apps.First().Name;
        }

        try
        {
            return _registry.Resolve(app, null, parts[^1]);
        }
        catch (UnknownTargetException e)
        {
            Problem(draft.Name, draft.Function.Where!, $"is \"{text}\": {e.Message}");
            return null;
        }
    }

    private TimeZoneInfo? ReadZone(ScheduleDraft draft)
    {
        if (draft.TimeZone.Value is not { } id)
        {
            return null;
        }

        if (id.Trim().Length > 0 && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone))
        {
            return zone;
        }

        Problem(draft.Name, draft.TimeZone.Where!, $"\"{id}\" is not a known IANA time zone. Use a name such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\" (the default).");
        return null;
    }

    private ScheduleTiming? ReadTiming(ScheduleDraft draft, TimeZoneInfo? zone)
    {
        var (cron, period) = (draft.Cron, draft.Period);
        if (cron.Value is not null && period.Value is not null)
        {
            Problem(draft.Name, $"{cron.Where} and {period.Where}", "are both set. A schedule has either a Cron or a Period; remove one.");
            return null;
        }

        if (cron.Value is null && period.Value is null)
        {
            Problem(draft.Name, draft.Origin, "has neither Cron nor Period. Set Cron (for example \"0 3 * * *\") or Period (for example \"1d\").");
            return null;
        }

        if (cron.Value is { } cronText)
        {
            if (draft.Start.Value is not null)
            {
                Problem(draft.Name, draft.Start.Where!, "is set on a Cron schedule; Start anchors a Period only. Remove it (a cron expression says its own times).");
            }

            var problem = CronText.TryParse(cronText, out var timing);
            if (problem is not null)
            {
                Problem(draft.Name, cron.Where!, problem);
            }

            return timing;
        }

        var periodProblem = PeriodText.TryParse(period.Value!, out var count, out var unit);
        if (periodProblem is not null)
        {
            Problem(draft.Name, period.Where!, periodProblem);
            return null;
        }

        var start = ReadStart(draft, zone ?? TimeZoneInfo.Utc);
        return new PeriodTiming(period.Value!, count, unit, start);
    }

    private DateTimeOffset? ReadStart(ScheduleDraft draft, TimeZoneInfo zone)
    {
        if (draft.Start.Value is not { } text)
        {
            return null;
        }

        const string Shape = "Use a date and time such as \"2026-01-01T03:00\" (in the schedule's TimeZone) or with an offset, \"2026-01-01T03:00:00Z\"";
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var local))
        {
            Problem(draft.Name, draft.Start.Where!, $"\"{text}\" is not a date and time. {Shape}.");
            return null;
        }

        if (local.Kind != DateTimeKind.Unspecified)
        {
            return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
        }

        if (zone.IsInvalidTime(local))
        {
            Problem(draft.Name, draft.Start.Where!, $"\"{text}\" does not exist in {zone.Id} (the clocks skip it when daylight saving time starts). Choose another time.");
            return null;
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private JsonElement ReadArgs(ScheduleDraft draft, Callable? callable)
    {
        var args = JsonSerializer.SerializeToElement(Array.Empty<object>());
        if (draft.Args is { } section)
        {
            var problem = ScheduleArgs.TryRead(section, out var read);
            if (problem is not null)
            {
                Problem(draft.Name, draft.ArgsWhere!, problem);
                return args;
            }

            args = read;
        }

        if (callable is null)
        {
            return args;
        }

        try
        {
            _ = ArgumentBinder.Bind(callable, args, null, CancellationToken.None);
        }
        catch (InvalidInputException e)
        {
            var fix = draft.Args is null
                ? "A scheduled function must be callable with no arguments: give its arguments defaults, or set Args to a JSON array of them."
                : "Make Args match the function's arguments.";
            Problem(draft.Name, draft.ArgsWhere ?? draft.Origin, $"{e.Message} {fix}");
        }

        return args;
    }

    private T ReadEnum<T>(ScheduleDraft draft, ScheduleField field)
        where T : struct, Enum
    {
        if (field.Value is not { } text)
        {
            return default;
        }

        if (Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsAsciiDigit(text.Trim().FirstOrDefault()))
        {
            return value;
        }

        Problem(draft.Name, field.Where!, $"is \"{text}\". Use {string.Join(" or ", Enum.GetNames<T>())}.");
        return default;
    }

    private TimeSpan ReadWindow(ScheduleDraft draft, ScheduleMisfire misfire)
    {
        var fallback = TimeSpan.FromHours(1);
        if (draft.MisfireWindow.Value is not { } text)
        {
            return fallback;
        }

        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var window) || window < TimeSpan.FromSeconds(1) || window > MaxMisfireWindow)
        {
            Problem(draft.Name, draft.MisfireWindow.Where!, $"is \"{text}\". Use a TimeSpan from \"00:00:01\" to \"366.00:00:00\", for example \"01:00:00\" for an hour.");
            return fallback;
        }

        if (misfire != ScheduleMisfire.RunOnce)
        {
            Problem(draft.Name, draft.MisfireWindow.Where!, "is set but Misfire is Skip, which never runs a missed occurrence. Set Misfire to RunOnce, or remove MisfireWindow.");
        }

        return window;
    }

    private bool CheckName(string name, string written, string where)
    {
        if (name.Length == 0)
        {
            _problems.Add($"The schedule named '{written}' ({where}) has no letters or digits in its name. Give it a name such as \"nightly-report\".");
            return false;
        }

        if (name.Length > MaxNameLength)
        {
            _problems.Add($"The schedule named '{written}' ({where}) has a name of {name.Length} characters. Keep it to {MaxNameLength} (it starts every fire's idempotency key).");
            return false;
        }

        return true;
    }

    private void Problem(string schedule, string where, string what) => _problems.Add($"Schedule '{schedule}' ({where}): {what}");
}
