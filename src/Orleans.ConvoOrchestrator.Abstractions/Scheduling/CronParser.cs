using Cronos;

namespace Orleans.ConvoOrchestrator;

/// <summary>Reads a trigger's cron expression and time zone (Cronos).</summary>
public static class CronParser
{
    /// <summary>Parses 5-field or 6-field (seconds first) expressions.</summary>
    public static Result<CronExpression> Parse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return Result<CronExpression>.Err(ErrorKind.VALIDATION, "a Cron trigger needs 'cron'");
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            return Result<CronExpression>.Err(ErrorKind.VALIDATION, $"cron '{expression}' is not valid: {ex.Message}");
        }
    }

    /// <summary>The time zone by id (UTC when null).</summary>
    public static Result<TimeZoneInfo> Zone(string? id)
    {
        if (string.IsNullOrEmpty(id)) return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return Result<TimeZoneInfo>.Err(ErrorKind.VALIDATION, $"time zone '{id}' is not known");
        }
    }
}
