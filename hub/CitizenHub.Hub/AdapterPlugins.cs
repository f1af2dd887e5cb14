using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using CitizenHub.Adapters;

namespace CitizenHub.Hub;

/// <summary>
/// Adapter plug-ins: assemblies built outside the hub against the CitizenHub.Adapters package, loaded from
/// <see cref="PluginOptions.Folder"/>. Every public <see cref="ISourceAdapterFactory"/> with a public parameterless
/// constructor in a plug-in adds a source kind, so a new kind needs no change to the hub and no rebuild of it.
/// </summary>
/// <remarks>
/// A plug-in is an assembly with its <c>.deps.json</c> beside it (a build output of the <c>citizenhub-adapter</c>
/// template), anywhere under the folder. Each is loaded into its own <see cref="AssemblyLoadContext"/>, so two plug-ins
/// may carry different versions of one library; CitizenHub.Contracts, CitizenHub.Adapters and Microsoft.Extensions.*
/// always come from the hub, so the plug-in's factory implements the hub's own interface.
/// </remarks>
public static class AdapterPlugins
{
    // A plug-in is loaded once a process: configuration checks and the hub both ask for the factories, and an assembly
    // loaded twice would give two types of one name.
    private static readonly ConcurrentDictionary<string, Lazy<Assembly>> Loaded = new(StringComparer.Ordinal);

    /// <summary>The factories the plug-ins under <paramref name="folder"/> hold, in a stable order (by file, then type).</summary>
    /// <exception cref="PluginLoadException">A plug-in could not be loaded, or its factory could not be made.</exception>
    public static IReadOnlyList<ISourceAdapterFactory> LoadFactories(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
        {
            throw new PluginLoadException(folder, "the plug-in folder does not exist");
        }

        var factories = new List<ISourceAdapterFactory>();
        foreach (var depsFile in Directory.EnumerateFiles(folder, "*.deps.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var assemblyPath = depsFile[..^".deps.json".Length] + ".dll";
            if (!File.Exists(assemblyPath))
            {
                throw new PluginLoadException(depsFile, "no assembly of the same name beside it");
            }

            if (!IsDependencyManifest(depsFile))
            {
                // The native resolver behind AssemblyDependencyResolver ends the process on some malformed manifests.
                throw new PluginLoadException(depsFile, "not a build's .deps.json (no runtimeTarget and targets); copy the plug-in's whole build output");
            }

            factories.AddRange(FactoriesIn(assemblyPath));
        }

        return factories;
    }

    private static bool IsDependencyManifest(string depsFile)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(depsFile));
            var root = document.RootElement;
            return root.ValueKind == System.Text.Json.JsonValueKind.Object
                && root.TryGetProperty("runtimeTarget", out var target) && target.ValueKind == System.Text.Json.JsonValueKind.Object
                && target.TryGetProperty("name", out var name) && name.ValueKind == System.Text.Json.JsonValueKind.String
                && root.TryGetProperty("targets", out var targets) && targets.ValueKind == System.Text.Json.JsonValueKind.Object
                && targets.TryGetProperty(name.GetString()!, out _);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static IEnumerable<ISourceAdapterFactory> FactoriesIn(string assemblyPath)
    {
        Type[] types;
        try
        {
            var assembly = Loaded.GetOrAdd(assemblyPath, path => new Lazy<Assembly>(() =>
                new PluginLoadContext(path).LoadFromAssemblyPath(path))).Value;
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException or ReflectionTypeLoadException or TypeLoadException or InvalidOperationException)
        {
            // Not the exception's message: a loader's message can be long and says little an operator can act on.
            Loaded.TryRemove(assemblyPath, out _);
            throw new PluginLoadException(assemblyPath, Why(ex), ex);
        }

        var factories = new List<ISourceAdapterFactory>();
        foreach (var type in types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ISourceAdapterFactory).IsAssignableFrom(t)).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
            {
                continue;
            }

            try
            {
                factories.Add((ISourceAdapterFactory)Activator.CreateInstance(type)!);
            }
            catch (TargetInvocationException ex)
            {
                throw new PluginLoadException(assemblyPath, $"its factory {type.FullName} threw {ex.InnerException?.GetType().Name} when made", ex);
            }
        }

        return factories;
    }

    private static string Why(Exception ex) => ex switch
    {
        BadImageFormatException => "not a .NET assembly",
        // AssemblyDependencyResolver's failure to read the plug-in's .deps.json.
        InvalidOperationException => "its .deps.json could not be read; copy the plug-in's whole build output",
        FileNotFoundException missing => $"a dependency is missing ({missing.FileName ?? "unknown"}); copy the plug-in's whole build output",
        _ => $"it could not be loaded ({ex.GetType().Name}); build it against the CitizenHub.Adapters package of this hub's version",
    };

    /// <summary>One plug-in's assemblies, found through its <c>.deps.json</c>; the SDK and Microsoft.Extensions.* are the hub's.</summary>
    private sealed class PluginLoadContext(string assemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(assemblyPath), isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(assemblyPath);

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (IsShared(assemblyName.Name))
            {
                // Null defers to the hub's own context, so the plug-in sees the hub's ISourceAdapterFactory.
                return null;
            }

            return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

        private static bool IsShared(string? name) =>
            name is "CitizenHub.Contracts" or "CitizenHub.Adapters"
            || (name?.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) ?? false);
    }
}

/// <summary>An adapter plug-in that could not be loaded; the message names the file and why, quoting no data.</summary>
public sealed class PluginLoadException : Exception
{
    public PluginLoadException(string path, string reason, Exception? inner = null)
        : base($"plug-in '{path}': {reason}", inner)
    {
        Path = path;
    }

    public PluginLoadException()
    {
        Path = "";
    }

    public PluginLoadException(string message)
        : base(message)
    {
        Path = "";
    }

    public PluginLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "";
    }

    /// <summary>The plug-in's file.</summary>
    public string Path { get; }
}
