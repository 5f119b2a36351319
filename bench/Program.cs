using Orleans.ConvoOrchestrator.Bench;

// dotnet run -c Release --project bench [-- --quick | triggers ... | durable ... | --run-one ...]
var cmd = new CommandLine(args);
try
{
    return args.FirstOrDefault() switch
    {
        "triggers" => await TriggersCommand.RunAsync(cmd),
        "durable" => await DurableCommand.RunAsync(cmd),
        "--run-one" => await RunOneCommand.RunAsync(cmd),
        "-h" or "--help" or "help" => Help(0),
        _ => await CompareCommand.RunAsync(cmd),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    return Help(2);
}

static int Help(int code)
{
    var text = $"usage:\n  {CompareCommand.Usage}\n  {TriggersCommand.Usage}\n  {DurableCommand.Usage}\n  {RunOneCommand.Usage}";
    if (code == 0) Console.WriteLine(text);
    else Console.Error.WriteLine(text);
    return code;
}
