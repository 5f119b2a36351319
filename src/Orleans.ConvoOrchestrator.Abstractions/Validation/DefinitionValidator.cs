namespace Orleans.ConvoOrchestrator;

/// <summary>
/// Checks ids, events, policies and triggers. Every rule lives here so clients and grains agree;
/// grains call it before changing anything, so bad input changes nothing.
/// </summary>
public static class DefinitionValidator
{
    /// <summary>Checks an event id.</summary>
    public static Result Validate(EventId id) => Collect(e => CheckId(id.Value, "event id", e));

    /// <summary>Checks a trigger id.</summary>
    public static Result Validate(TriggerId id) => Collect(e => CheckId(id.Value, "trigger id", e));

    /// <summary>
    /// Checks an emit's options: a correlation id and an idempotency key, when given, follow the rules of names; a
    /// trigger id those of ids.
    /// </summary>
    public static Result Validate(EmitOptions? options) => options is null ? Result.Ok() : Collect(errors =>
    {
        if (options.CorrelationId is { } correlation) CheckName(correlation, "correlation id", errors);
        if (options.IdempotencyKey is { } key) CheckName(key, "idempotency key", errors);
        if (options.TriggerId is { } trigger) CheckId(trigger.Value, "trigger id", errors);
    });

    /// <summary>Checks a whole event definition.</summary>
    public static Result Validate(Event? ev) => Collect(errors =>
    {
        if (ev is null)
        {
            errors.Add("event is required");
            return;
        }
        CheckId(ev.Id.Value, "event id", errors);
        CheckName(ev.Name, "name", errors);
        CheckName(ev.HandlerName, "handler_name", errors);
        CheckPolicy(ev.EffectivePolicy, errors);
        if (ev.Metadata is { } meta)
        {
            if (meta.Count > DefinitionLimits.MaxMetadataEntries)
                errors.Add($"metadata has {meta.Count} entries; at most {DefinitionLimits.MaxMetadataEntries} are allowed");
            foreach (var (key, value) in meta)
            {
                CheckName(key, "metadata key", errors);
                if (value is null) errors.Add($"metadata value of '{key}' is null");
                else if (value.Length > DefinitionLimits.MaxMetadataValueLength)
                    errors.Add($"metadata value of '{key}' is longer than {DefinitionLimits.MaxMetadataValueLength} characters");
            }
        }
    });

    /// <summary>Checks a policy.</summary>
    public static Result Validate(Policy policy) => Collect(e => CheckPolicy(policy, e));

    /// <summary>Checks a trigger definition.</summary>
    public static Result Validate(Trigger? trigger) => Collect(errors =>
    {
        if (trigger is null)
        {
            errors.Add("trigger is required");
            return;
        }
        CheckId(trigger.Id.Value, "trigger id", errors);
        if (!Enum.IsDefined(trigger.Kind)) errors.Add($"trigger kind {(int)trigger.Kind} is not defined");
        switch (trigger.Kind)
        {
            case TriggerKind.AT:
                if (trigger.At is null) errors.Add("an AT trigger needs 'at'");
                break;
            case TriggerKind.INTERVAL:
                if (trigger.Interval is null) errors.Add("an INTERVAL trigger needs 'interval'");
                break;
            case TriggerKind.Cron:
                if (CronParser.Parse(trigger.Cron) is { IsErr: true } cron) errors.Add(cron.UnwrapErr().Message);
                if (CronParser.Zone(trigger.TimeZone) is { IsErr: true } zone) errors.Add(zone.UnwrapErr().Message);
                break;
            case TriggerKind.CONDITION:
                CheckName(trigger.Condition, "condition", errors);
                break;
        }
        if (trigger.At is not null && trigger.Kind != TriggerKind.AT) errors.Add($"'at' is only for AT triggers, not {trigger.Kind}");
        if (trigger.Interval is { } interval)
        {
            if (trigger.Kind is not (TriggerKind.INTERVAL or TriggerKind.CONDITION))
                errors.Add($"'interval' is only for INTERVAL and CONDITION triggers, not {trigger.Kind}");
            else if (interval < DefinitionLimits.MinInterval || interval > DefinitionLimits.MaxInterval)
                errors.Add($"interval must be between {DefinitionLimits.MinInterval.TotalMilliseconds} ms and {DefinitionLimits.MaxInterval.TotalDays} days (got {interval})");
        }
        if (trigger.Kind != TriggerKind.Cron && (trigger.Cron is not null || trigger.TimeZone is not null))
            errors.Add($"'cron' and 'timeZone' are only for Cron triggers, not {trigger.Kind}");
        if (trigger.Kind != TriggerKind.CONDITION && trigger.Condition is not null)
            errors.Add($"'condition' is only for CONDITION triggers, not {trigger.Kind}");
        if (trigger.Jitter is { } jitter)
        {
            if (trigger.Kind is not (TriggerKind.INTERVAL or TriggerKind.AT)) errors.Add($"jitter is only for INTERVAL and AT triggers, not {trigger.Kind}");
            else if (jitter < TimeSpan.Zero) errors.Add("jitter must not be negative");
            else if (jitter > DefinitionLimits.MaxInterval) errors.Add("jitter is too long");
            else if (trigger.Interval is { } iv && jitter >= iv) errors.Add("jitter must be shorter than the interval");
        }
        if (trigger.MisfireThreshold is { } threshold && threshold < TimeSpan.Zero) errors.Add("misfireThreshold must not be negative");
        if (!Enum.IsDefined(trigger.Misfire)) errors.Add($"misfire policy {(int)trigger.Misfire} is not defined");
        if (!Enum.IsDefined(trigger.Overlap)) errors.Add($"overlap policy {(int)trigger.Overlap} is not defined");
        if (trigger.CatchUpWindow is { } window && (window < TimeSpan.Zero || window > DefinitionLimits.MaxInterval))
            errors.Add("catchUpWindow must be between 0 and the longest interval");
        if (trigger.Misfire == MisfirePolicy.RunAll && trigger.CatchUpWindow is null)
            errors.Add("misfire RunAll needs a catchUpWindow (how far back missed fires still run)");
        if (trigger.Calendars is { } calendars)
        {
            if (calendars.Count > 0 && trigger.Kind is not (TriggerKind.INTERVAL or TriggerKind.Cron))
                errors.Add($"'calendars' are only for INTERVAL and Cron triggers, not {trigger.Kind}");
            if (calendars.Count > DefinitionLimits.MaxTriggerCalendars)
                errors.Add($"a trigger names {calendars.Count} calendars; at most {DefinitionLimits.MaxTriggerCalendars} are allowed");
            foreach (var name in calendars) CheckId(name, "calendar name", errors);
            if (calendars.Distinct(StringComparer.Ordinal).Count() != calendars.Count) errors.Add("'calendars' names a calendar twice");
        }
    });

    /// <summary>Checks a calendar name.</summary>
    public static Result ValidateCalendarName(string? name) => Collect(e => CheckId(name, "calendar name", e));

    /// <summary>Checks a calendar: its name, time zone and every rule (each kind with its own fields and no others).</summary>
    public static Result Validate(Calendar? calendar) => Collect(errors =>
    {
        if (calendar is null)
        {
            errors.Add("calendar is required");
            return;
        }
        CheckId(calendar.Name, "calendar name", errors);
        if (CronParser.Zone(calendar.TimeZone) is { IsErr: true } zone) errors.Add(zone.UnwrapErr().Message);
        if (calendar.Description is { Length: > DefinitionLimits.MaxDescriptionLength })
            errors.Add($"description is longer than {DefinitionLimits.MaxDescriptionLength} characters");
        if (calendar.Rules is not { Count: > 0 } rules)
        {
            errors.Add("a calendar needs at least one rule");
            return;
        }
        if (rules.Count > DefinitionLimits.MaxCalendarRules)
            errors.Add($"a calendar has {rules.Count} rules; at most {DefinitionLimits.MaxCalendarRules} are allowed");
        for (var i = 0; i < rules.Count && errors.Count < 20; i++) CheckRule(rules[i], $"rule {i + 1}", errors);
    });

    private static void CheckRule(CalendarRule? rule, string what, List<string> errors)
    {
        if (rule is null)
        {
            errors.Add($"{what} is null");
            return;
        }
        if (!Enum.IsDefined(rule.Kind))
        {
            errors.Add($"{what}: kind {(int)rule.Kind} is not defined");
            return;
        }
        // Which fields each kind uses; any other one set is a mistake worth telling (a "from" on a Date rule).
        var (needs, allowed) = rule.Kind switch
        {
            CalendarRuleKind.Date => (new[] { "date" }, new[] { "date" }),
            CalendarRuleKind.DateRange => (["from", "to"], ["from", "to"]),
            CalendarRuleKind.Annual => (["month", "day"], ["month", "day"]),
            CalendarRuleKind.DailyWindow or CalendarRuleKind.OutsideDailyWindow => (["start", "end"], ["start", "end"]),
            _ => (["cron"], ["cron"]),
        };
        var set = new Dictionary<string, bool>
        {
            ["date"] = rule.Date is not null, ["from"] = rule.From is not null, ["to"] = rule.To is not null,
            ["month"] = rule.Month is not null, ["day"] = rule.Day is not null, ["start"] = rule.Start is not null,
            ["end"] = rule.End is not null, ["cron"] = rule.Cron is not null,
        };
        foreach (var field in needs)
            if (!set[field]) errors.Add($"{what}: a {rule.Kind} rule needs '{field}'");
        foreach (var (field, present) in set)
            if (present && !allowed.Contains(field)) errors.Add($"{what}: '{field}' is not for a {rule.Kind} rule");
        switch (rule.Kind)
        {
            case CalendarRuleKind.DateRange when rule.From is { } from && rule.To is { } to && from > to:
                errors.Add($"{what}: 'from' ({from:yyyy-MM-dd}) is after 'to' ({to:yyyy-MM-dd})");
                break;
            case CalendarRuleKind.Annual when rule.Month is { } month:
                if (month is < 1 or > 12) errors.Add($"{what}: month must be between 1 and 12 (got {month})");
                else if (rule.Day is { } day && (day < 1 || day > DateTime.DaysInMonth(2000, month)))
                    errors.Add($"{what}: day must be between 1 and {DateTime.DaysInMonth(2000, month)} for month {month} (got {day})");
                break;
            case CalendarRuleKind.DailyWindow or CalendarRuleKind.OutsideDailyWindow when rule.Start is { } start && rule.End is { } end && start == end:
                errors.Add($"{what}: 'start' and 'end' are the same ({start:HH:mm:ss}); a window needs a length");
                break;
            case CalendarRuleKind.Cron when rule.Cron is not null:
                if (CronParser.Parse(rule.Cron) is { IsErr: true } cron) errors.Add($"{what}: {cron.UnwrapErr().Message}");
                break;
        }
    }

    private static void CheckPolicy(Policy? policy, List<string> errors)
    {
        if (policy is null) return;
        if (policy.TimeoutSec is { } t && (!double.IsFinite(t) || t <= 0 || t > DefinitionLimits.MaxTimeoutSec))
            errors.Add($"timeout_sec must be > 0 and <= {DefinitionLimits.MaxTimeoutSec} (got {t})");
        if (policy.MaxRetries < 0 || policy.MaxRetries > DefinitionLimits.MaxRetries)
            errors.Add($"max_retries must be between 0 and {DefinitionLimits.MaxRetries} (got {policy.MaxRetries})");
        if (!Enum.IsDefined(policy.Backoff))
            errors.Add($"backoff {(int)policy.Backoff} is not defined");
        if (policy.MaxConcurrency < 1 || policy.MaxConcurrency > DefinitionLimits.MaxConcurrency)
            errors.Add($"max_concurrency must be between 1 and {DefinitionLimits.MaxConcurrency} (got {policy.MaxConcurrency})");
        if (policy.RateLimitPerSec is { } r && (!double.IsFinite(r) || r <= 0 || r > DefinitionLimits.MaxRateLimitPerSec))
            errors.Add($"rate_limit_per_sec must be > 0 and <= {DefinitionLimits.MaxRateLimitPerSec} (got {r})");
        if (policy.IdempotencyKeyPath is { } path && PayloadKeyPath.Parse(path, out var pathError) is null) errors.Add(pathError!);
        if (policy.IdempotencyWindowSec is { } w && (!double.IsFinite(w) || w <= 0 || w > DefinitionLimits.MaxIdempotencyWindowSec))
            errors.Add($"idempotency_window_sec must be > 0 and <= {DefinitionLimits.MaxIdempotencyWindowSec} (got {w})");
    }

    private static void CheckId(string? value, string what, List<string> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add($"{what} must not be empty");
            return;
        }
        if (value.Length > DefinitionLimits.MaxIdLength)
        {
            errors.Add($"{what} is {value.Length} characters long; at most {DefinitionLimits.MaxIdLength} are allowed");
            return;
        }
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@'))
            {
                errors.Add($"{what} '{Printable(value)}' has a character outside [A-Za-z0-9._:@-]");
                return;
            }
        }
        // URLs and file paths read "." and ".." as "this folder" and "the parent": such an id could be created but
        // never addressed again over HTTP (/api/events/.. is /api). Longer runs of dots are refused alike.
        if (value.AsSpan().TrimStart('.').IsEmpty)
            errors.Add($"{what} '{value}' is only dots; an id needs at least one letter, digit or one of _:@-");
    }

    /// <summary>True for a valid name (event name, handler or condition name, metadata key): 1-200 characters, not blank, no control characters.</summary>
    public static bool IsValidName(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= DefinitionLimits.MaxIdLength && !value.Any(char.IsControl);

    private static void CheckName(string? value, string what, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add($"{what} must not be empty");
        else if (value.Length > DefinitionLimits.MaxIdLength) errors.Add($"{what} is longer than {DefinitionLimits.MaxIdLength} characters");
        else if (value.Any(char.IsControl)) errors.Add($"{what} must not contain control characters");
    }

    private static string Printable(string value) => new(value.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static Result Collect(Action<List<string>> check)
    {
        var errors = new List<string>();
        check(errors);
        return errors.Count == 0 ? Result.Ok() : Result.Err(ErrorKind.VALIDATION, string.Join("; ", errors));
    }
}
