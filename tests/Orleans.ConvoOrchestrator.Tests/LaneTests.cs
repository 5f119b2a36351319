using System.Reflection;
using Orleans.ConvoOrchestrator.Tests.Support;

namespace Orleans.ConvoOrchestrator.Tests;

/// <summary>Every test class of this project names its lane, so a lane filter never leaves a new test out.</summary>
[Trait(Lane.Name, Lane.Cluster)]
public sealed class LaneTests
{
    [Fact]
    public void Every_test_class_names_exactly_one_known_lane()
    {
        var testClasses = typeof(LaneTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false }
                && t.GetMethods(BindingFlags.Public | BindingFlags.Instance).Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .ToList();
        Assert.True(testClasses.Count > 40, $"found only {testClasses.Count} test classes");
        var wrong = testClasses
            .Select(t => (Type: t, Lanes: LanesOf(t)))
            .Where(c => c.Lanes.Count != 1 || c.Lanes[0] is not (Lane.Cluster or Lane.System))
            .Select(c => $"{c.Type.Name}: {(c.Lanes.Count == 0 ? "no lane" : string.Join(", ", c.Lanes))}")
            .ToList();
        Assert.True(wrong.Count == 0, "test classes without exactly one known lane:\n" + string.Join("\n", wrong));
    }

    // xunit's TraitAttribute keeps its name and value only as constructor arguments.
    private static List<string?> LanesOf(Type type) => type.GetCustomAttributesData()
        .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == Lane.Name)
        .Select(a => (string?)a.ConstructorArguments[1].Value)
        .ToList();
}
