using System.Diagnostics.CodeAnalysis;

namespace Orleans.ConvoOrchestrator;

/// <summary>A value or an <see cref="AppError"/>. Expected failures are results, not exceptions.</summary>
/// <typeparam name="T">The value's type.</typeparam>
[GenerateSerializer, Immutable, Alias("convo.Result`1")]
public readonly struct Result<T>
{
    [Id(0)] private readonly T? _value;
    [Id(1)] private readonly AppError? _error;

    private Result(T? value, AppError? error)
    {
        _value = value;
        _error = error;
    }

    /// <summary>A successful result.</summary>
    public static Result<T> Ok(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static Result<T> Err(AppError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>A failed result of <paramref name="kind"/>.</summary>
    public static Result<T> Err(ErrorKind kind, string message) => Err(new AppError(kind, message));

    /// <summary>True when this holds a value.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => _error is null;

    /// <summary>True when this holds an error.</summary>
    [MemberNotNullWhen(true, nameof(Error))]
    public bool IsErr => _error is not null;

    /// <summary>The error, or null when OK.</summary>
    public AppError? Error => _error;

    /// <summary>The value; throws <see cref="AppErrorException"/> with the error's message when this is an error.</summary>
    public T Unwrap() => _error is null ? _value! : throw new AppErrorException(_error);

    /// <summary>The error; throws <see cref="InvalidOperationException"/> when this is OK.</summary>
    public AppError UnwrapErr() => _error ?? throw new InvalidOperationException("UnwrapErr() called on an OK result.");

    /// <summary>The value, or <paramref name="fallback"/> when this is an error.</summary>
    public T UnwrapOr(T fallback) => _error is null ? _value! : fallback;

    /// <summary>Maps the value, keeping an error as it is.</summary>
    public Result<TOut> Map<TOut>(Func<T, TOut> map) => _error is null ? Result<TOut>.Ok(map(_value!)) : Result<TOut>.Err(_error);

    /// <summary>Wraps a value.</summary>
    public static implicit operator Result<T>(T value) => Ok(value);

    /// <summary>Wraps an error.</summary>
    public static implicit operator Result<T>(AppError error) => Err(error);

    /// <inheritdoc />
    public override string ToString() => _error is null ? $"Ok({_value})" : $"Err({_error})";
}

/// <summary>Success or an <see cref="AppError"/>, for operations without a value.</summary>
[GenerateSerializer, Immutable, Alias("convo.Result")]
public readonly struct Result
{
    [Id(0)] private readonly AppError? _error;

    private Result(AppError? error) => _error = error;

    /// <summary>Success.</summary>
    public static Result Ok() => default;

    /// <summary>A failed result.</summary>
    public static Result Err(AppError error) => new(error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>A failed result of <paramref name="kind"/>.</summary>
    public static Result Err(ErrorKind kind, string message) => Err(new AppError(kind, message));

    /// <summary>True on success.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => _error is null;

    /// <summary>True on failure.</summary>
    [MemberNotNullWhen(true, nameof(Error))]
    public bool IsErr => _error is not null;

    /// <summary>The error, or null on success.</summary>
    public AppError? Error => _error;

    /// <summary>Throws <see cref="AppErrorException"/> when this is an error.</summary>
    public void Unwrap()
    {
        if (_error is not null) throw new AppErrorException(_error);
    }

    /// <summary>The error; throws <see cref="InvalidOperationException"/> on success.</summary>
    public AppError UnwrapErr() => _error ?? throw new InvalidOperationException("UnwrapErr() called on an OK result.");

    /// <summary>Wraps an error.</summary>
    public static implicit operator Result(AppError error) => Err(error);

    /// <inheritdoc />
    public override string ToString() => _error is null ? "Ok" : $"Err({_error})";
}
