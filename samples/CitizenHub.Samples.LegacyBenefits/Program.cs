using CitizenHub.Samples.LegacyBenefits;

// dotnet run --project samples/CitizenHub.Samples.LegacyBenefits [-- URL]
var urls = args.Length > 0 ? args[0] : "http://127.0.0.1:5090";
var app = LegacyBenefitsService.Build(urls, ClaimantBook.Sample());
Console.WriteLine($"Legacy benefits SOAP service at {urls}{LegacyBenefitsService.Path} (action {LegacyBenefitsService.Action})");
await app.RunAsync();
