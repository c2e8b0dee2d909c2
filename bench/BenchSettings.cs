namespace Pipeline.Bench;

/// <summary>The sizes of one run: <c>--quick</c> (under 3 minutes on a 2-core machine) or the full run.</summary>
internal sealed record BenchSettings
{
    public bool Quick { get; init; }

    public string? MarkdownPath { get; init; }

    /// <summary>Where <c>--json FILE</c> writes the figures, so two runs can be compared; null when not asked.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Scenario numbers to run (<c>--only 1,6</c>); empty runs all. A partial run is for finding a problem, not for the record.</summary>
    public IReadOnlySet<int> Only { get; init; } = new HashSet<int>();

    /// <summary>Worker host logs at Information (<c>--verbose</c>) instead of Warning.</summary>
    public bool Verbose { get; init; }

    public bool Runs(int scenario) => Only.Count == 0 || Only.Contains(scenario);

    /// <summary>Messages per throughput repetition, per subject.</summary>
    public int Messages { get; init; }

    /// <summary>Repetitions of each throughput figure; the median is reported.</summary>
    public int Repetitions { get; init; }

    /// <summary>Confirms (or calls) outstanding when publishing in bulk, the same for every subject.</summary>
    public int Window { get; init; } = 256;

    public int ClosedLoopCalls { get; init; }

    public TimeSpan OpenLoopDuration { get; init; }

    public int MapInputs { get; init; } = 10_000;

    public int MapRepetitions { get; init; }

    public int ColdStarts { get; init; }

    /// <summary>Cold starts of a process-container pool (each starts a child process: seconds, not milliseconds, on a busy machine).</summary>
    public int ProcessColdStarts { get; init; }

    public int Pools { get; init; }

    public int DrainMessages { get; init; }

    public static BenchSettings QuickRun(string? markdown) => new()
    {
        Quick = true,
        MarkdownPath = markdown,
        Messages = 3_000,
        Repetitions = 3,
        ClosedLoopCalls = 600,
        OpenLoopDuration = TimeSpan.FromSeconds(2),
        MapInputs = 3_000,
        MapRepetitions = 1,
        ColdStarts = 5,
        ProcessColdStarts = 3,
        Pools = 100,
        DrainMessages = 5_000,
    };

    public static BenchSettings FullRun(string? markdown) => new()
    {
        MarkdownPath = markdown,
        Messages = 20_000,
        Repetitions = 5,
        ClosedLoopCalls = 6_000,
        OpenLoopDuration = TimeSpan.FromSeconds(15),
        MapRepetitions = 3,
        ColdStarts = 20,
        ProcessColdStarts = 5,
        Pools = 1_000,
        DrainMessages = 30_000,
    };

    /// <summary>Reads the command line; anything else is refused with the usage.</summary>
    public static BenchSettings Parse(IReadOnlyList<string> args)
    {
        var quick = false;
        var verbose = false;
        string? markdown = null;
        string? json = null;
        var only = new HashSet<int>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--markdown" when i + 1 < args.Count:
                    markdown = args[++i];
                    break;
                case "--json" when i + 1 < args.Count:
                    json = args[++i];
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                case "--only" when i + 1 < args.Count:
                    foreach (var part in args[++i].Split(','))
                    {
                        only.Add(int.TryParse(part, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 8
                            ? n
                            : throw new ArgumentException($"--only takes scenario numbers 1 to 8 separated by commas (got '{part}'). {Usage}"));
                    }

                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. {Usage}");
            }
        }

        return (quick ? QuickRun(markdown) : FullRun(markdown)) with { Only = only, Verbose = verbose, JsonPath = json };
    }

    public const string Usage =
        "Usage: dotnet run -c Release --project bench -- [--quick] [--markdown FILE] [--json FILE] [--only 1,6] [--verbose]. " +
        "--quick runs every scenario with small sizes (under 3 minutes); --markdown also writes the table to FILE; " +
        "--json writes the figures, ratios, goals, machine, load and versions to FILE as JSON; " +
        "--only runs some scenarios (for investigating); --verbose shows the worker hosts' Information logs.";
}
