using CitizenHub.Host;

return await CitizenHubCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
