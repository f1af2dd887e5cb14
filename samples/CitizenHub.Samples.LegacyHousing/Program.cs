using CitizenHub.Samples.LegacyHousing;

// dotnet run --project samples/CitizenHub.Samples.LegacyHousing [-- URL [USER PASSWORD]]
var urls = args.Length > 0 ? args[0] : "http://127.0.0.1:5090";
var (user, password) = args.Length > 2 ? (args[1], args[2]) : ("housing-feed", "sample-password");
var app = LegacyHousingService.Build(urls, TenancyBook.Sample(), user, password);
Console.WriteLine($"Legacy housing SOAP service at {urls}{LegacyHousingService.Path} (action {LegacyHousingService.Action}; WSDL at ?wsdl)");
Console.WriteLine($"Every call needs a WS-Security UsernameToken: user '{user}', password '{password}'");
await app.RunAsync();
