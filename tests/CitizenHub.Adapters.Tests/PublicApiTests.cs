using System.Reflection;
using System.Runtime.CompilerServices;
using CitizenHub.Adapters.Testing;
using CitizenHub.Contracts;

namespace CitizenHub.Adapters.Tests;

/// <summary>
/// The public surface of the packages adapter authors build against, approved: a change to it shows in review as a
/// change to PublicApi/*.txt, so nobody breaks a council's adapter (or a message type's name) without seeing it.
/// </summary>
/// <remarks>
/// On a difference the test writes the surface it found beside the approved file as <c>*.received.txt</c>; if the
/// change is meant, move it over the approved file.
/// </remarks>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData(typeof(SourceRecord))]
    [InlineData(typeof(ISourceAdapter))]
    [InlineData(typeof(SourceAdapterConformance))]
    public void PublicApi_OfEachPackage_IsTheApprovedOne(Type typeInPackage)
    {
        var assembly = typeInPackage.Assembly;
        var approvedPath = Path.Combine(Folder(), "PublicApi", assembly.GetName().Name + ".txt");
        var actual = string.Join("\n", Describe(assembly)) + "\n";
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";

        if (actual != approved)
        {
            File.WriteAllText(Path.ChangeExtension(approvedPath, ".received.txt"), actual);
        }

        Assert.True(actual == approved, $"The public API of {assembly.GetName().Name} changed: compare {Path.ChangeExtension(approvedPath, ".received.txt")} with {approvedPath}.");
    }

    /// <summary>Every exported type, with its base and interfaces, and every public or protected member it declares.</summary>
    private static IEnumerable<string> Describe(Assembly assembly)
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var bases = new[] { type.BaseType }.Where(b => b is not null && b != typeof(object) && b != typeof(ValueType))
                .Concat(type.GetInterfaces().OrderBy(i => i.FullName, StringComparer.Ordinal))
                .Select(t => t!.ToString());
            yield return $"{Kind(type)} {type.FullName}{(bases.Any() ? " : " + string.Join(", ", bases) : "")}";
            foreach (var member in type.GetMembers(declared).Where(IsVisible).Select(m => "  " + m).Order(StringComparer.Ordinal))
            {
                yield return member;
            }
        }
    }

    private static bool IsVisible(MemberInfo member) => member switch
    {
        MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
        FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
        PropertyInfo property => property.GetAccessors(nonPublic: true).Any(IsVisible),
        EventInfo e => e.AddMethod is { } add && IsVisible(add),
        Type nested => nested.IsNestedPublic || nested.IsNestedFamily || nested.IsNestedFamORAssem,
        _ => false,
    };

    private static string Kind(Type type) =>
        type.IsInterface ? "interface" : type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : "class";

    private static string Folder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
