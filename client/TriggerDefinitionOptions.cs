using System.CommandLine;

namespace Orleans.ConvoOrchestrator.Cli;

/// <summary>
/// How <c>triggers attach</c> learns the trigger: a JSON file (<c>-f</c>), or flags. With flags, the flag that says
/// when it fires also says its kind (<c>--every</c> INTERVAL, <c>--at</c> AT, <c>--cron</c> Cron, <c>--external</c>,
/// <c>--condition</c>); <c>--kind</c> may spell it out and must then agree. Everything is checked before connecting.
/// </summary>
internal sealed class TriggerDefinitionOptions
{
    private readonly Option<string> _file = new("--file", "-f")
    {
        HelpName = "FILE",
        Description = $"JSON file holding the trigger ('-' reads stdin), e.g. {TriggerFile.Example}",
    };
    private readonly Option<string> _id = new("--id")
    {
        HelpName = "TRIGGER-ID",
        Description = "The trigger's id (default: the kind plus a random suffix, e.g. interval-3f9a1c2e)",
    };
    private readonly Option<string> _kind = new("--kind")
    {
        HelpName = "KIND",
        Description = "interval, at, cron, external or condition (default: implied by the flags below)",
    };
    private readonly Option<string> _every = new("--every")
    {
        HelpName = "DURATION",
        Description = $"INTERVAL: fire at this fixed rate; with --condition: how often it is polled ({DurationText.Help})",
    };
    private readonly Option<string> _at = new("--at")
    {
        HelpName = "INSTANT",
        Description = $"AT: fire once at this instant ({InstantText.Help})",
    };
    private readonly Option<string> _cron = new("--cron")
    {
        HelpName = "EXPR",
        Description = "Cron: a cron expression, 5 fields or 6 with seconds first, e.g. \"*/5 * * * * *\"",
    };
    private readonly Option<string> _timeZone = new("--tz")
    {
        HelpName = "ZONE",
        Description = "Cron: the IANA or Windows time zone the expression is read in (default UTC), e.g. Europe/Berlin",
    };
    private readonly Option<bool> _external = new("--external")
    {
        Description = "EXTERNAL: fired from outside (convo triggers fire, webhooks, database notifications)",
    };
    private readonly Option<string> _condition = new("--condition")
    {
        HelpName = "NAME",
        Description = "CONDITION: the name of a predicate registered in the silos; fires when it turns true",
    };
    private readonly Option<string> _jitter = new("--jitter")
    {
        HelpName = "DURATION",
        Description = "INTERVAL and AT: delay each fire by a random amount below this (shorter than --every)",
    };
    private readonly Option<string> _misfire = new("--misfire")
    {
        HelpName = "POLICY",
        Description = "What to do about fires missed while the cluster was down: coalesce (one catch-up fire, the default), skip, or run-all (each one within --catch-up)",
    };
    private readonly Option<string> _catchUp = new("--catch-up")
    {
        HelpName = "DURATION",
        Description = "How far back a missed fire may lie and still run (default: no limit; run-all needs it)",
    };
    private readonly Option<string> _overlap = new("--overlap")
    {
        HelpName = "POLICY",
        Description = "What a fire does while a job of an earlier fire is still queued or running: allow-all (the default), skip, buffer-one or cancel-other",
    };
    private readonly Option<string> _misfireThreshold = new("--misfire-threshold")
    {
        HelpName = "DURATION",
        Description = "How late a fire may be and still count as on time (default: the silo's, 1 s)",
    };
    private readonly Option<string> _anchor = new("--anchor")
    {
        HelpName = "INSTANT",
        Description = "INTERVAL: fires at anchor + k * interval (default: the attach time); same forms as --at",
    };
    private readonly Option<string[]> _calendars = new("--calendar")
    {
        HelpName = "NAME",
        Description = "INTERVAL and Cron: skip the instants this stored calendar excludes (repeatable; see convo calendars)",
    };
    private readonly Option<bool> _inactive = new("--inactive")
    {
        Description = "Attach it switched off (it does not fire)",
    };

    /// <summary>Every option, to add to the command.</summary>
    public IEnumerable<Option> All =>
        [_file, _id, _kind, _every, _at, _cron, _timeZone, _external, _condition, _jitter, _misfire, _misfireThreshold, _catchUp, _overlap, _anchor, _calendars, _inactive];

    /// <summary>The trigger the user described; throws <see cref="UsageException"/> for anything wrong or missing.</summary>
    public Trigger Read(ParseResult parse, DateTimeOffset now)
    {
        var given = All.Where(o => o != _file && Given(parse, o)).Select(o => o.Name).ToList();
        if (parse.GetValue(_file) is { } path)
        {
            if (given.Count > 0)
                throw new UsageException($"-f cannot be combined with {string.Join(", ", given)}: the file holds the whole trigger");
            return TriggerFile.Load(path);
        }

        var kind = KindFrom(parse);
        var every = parse.GetValue(_every) is { } e ? DurationText.Parse(e, "--every") : (TimeSpan?)null;
        var trigger = new Trigger(
            Id: new TriggerId(parse.GetValue(_id) ?? $"{kind.ToString().ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}"),
            Kind: kind,
            At: parse.GetValue(_at) is { } at ? InstantText.Parse(at, "--at", now) : null,
            Interval: every,
            Jitter: parse.GetValue(_jitter) is { } j ? DurationText.Parse(j, "--jitter") : null,
            Active: !parse.GetValue(_inactive),
            Cron: parse.GetValue(_cron),
            TimeZone: parse.GetValue(_timeZone),
            Misfire: MisfireFrom(parse.GetValue(_misfire)),
            MisfireThreshold: parse.GetValue(_misfireThreshold) is { } t ? DurationText.Parse(t, "--misfire-threshold") : null,
            Anchor: parse.GetValue(_anchor) is { } a ? InstantText.Parse(a, "--anchor", now) : null,
            Condition: parse.GetValue(_condition),
            Overlap: OverlapFrom(parse.GetValue(_overlap)),
            CatchUpWindow: parse.GetValue(_catchUp) is { } c ? DurationText.Parse(c, "--catch-up") : null,
            Calendars: parse.GetValue(_calendars) is { Length: > 0 } calendars ? calendars : null);

        if (trigger.TimeZone is not null && kind != TriggerKind.Cron) throw new UsageException("--tz is only for --cron triggers");
        if (trigger.Anchor is not null && kind != TriggerKind.INTERVAL) throw new UsageException("--anchor is only for --every (INTERVAL) triggers");
        if (trigger.HasCalendars && kind is not (TriggerKind.INTERVAL or TriggerKind.Cron)) throw new UsageException("--calendar is only for --every (INTERVAL) and --cron triggers");
        // The cluster's own rules, phrased in the JSON names ("interval"); the flags map one to one onto them.
        var valid = DefinitionValidator.Validate(trigger);
        if (valid.IsErr) throw new UsageException($"invalid trigger: {valid.Error.Message}");
        return trigger;
    }

    // The kind each "when" flag stands for; --every is INTERVAL unless it is a condition's poll interval.
    private TriggerKind KindFrom(ParseResult parse)
    {
        var implied = new List<(string Flag, TriggerKind Kind)>();
        if (Given(parse, _at)) implied.Add(("--at", TriggerKind.AT));
        if (Given(parse, _cron)) implied.Add(("--cron", TriggerKind.Cron));
        if (parse.GetValue(_external)) implied.Add(("--external", TriggerKind.EXTERNAL));
        if (Given(parse, _condition)) implied.Add(("--condition", TriggerKind.CONDITION));
        else if (Given(parse, _every)) implied.Add(("--every", TriggerKind.INTERVAL));
        if (implied.Count > 1)
            throw new UsageException($"a trigger has one kind: choose one of {string.Join(", ", implied.Select(i => i.Flag))}");

        if (parse.GetValue(_kind) is not { } named)
        {
            if (implied.Count == 0)
                throw new UsageException("say when the trigger fires: --every DURATION, --at INSTANT, --cron EXPR, --external or --condition NAME (or -f trigger.json)");
            return implied[0].Kind;
        }

        var kind = named.Trim().ToLowerInvariant() switch
        {
            "interval" => TriggerKind.INTERVAL,
            "at" => TriggerKind.AT,
            "cron" => TriggerKind.Cron,
            "external" => TriggerKind.EXTERNAL,
            "condition" => TriggerKind.CONDITION,
            _ => throw new UsageException($"--kind: '{named}' is not one of interval, at, cron, external, condition"),
        };
        if (implied.Count == 1 && implied[0].Kind != kind)
            throw new UsageException($"--kind {named} contradicts {implied[0].Flag}");
        var needs = kind switch
        {
            TriggerKind.INTERVAL => "--every DURATION",
            TriggerKind.AT => "--at INSTANT",
            TriggerKind.Cron => "--cron EXPR",
            TriggerKind.CONDITION => "--condition NAME",
            _ => null,
        };
        if (implied.Count == 0 && needs is not null) throw new UsageException($"--kind {named} needs {needs}");
        return kind;
    }

    private static MisfirePolicy MisfireFrom(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "coalesce" => MisfirePolicy.Coalesce,
        "skip" => MisfirePolicy.Skip,
        "run-all" => MisfirePolicy.RunAll,
        _ => throw new UsageException($"--misfire: '{text}' is not one of coalesce, skip, run-all"),
    };

    private static OverlapPolicy OverlapFrom(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "allow-all" => OverlapPolicy.AllowAll,
        "skip" => OverlapPolicy.Skip,
        "buffer-one" => OverlapPolicy.BufferOne,
        "cancel-other" => OverlapPolicy.CancelOther,
        _ => throw new UsageException($"--overlap: '{text}' is not one of allow-all, skip, buffer-one, cancel-other"),
    };

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
