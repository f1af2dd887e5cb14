using CitizenHub.Bench;

return await BenchCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
