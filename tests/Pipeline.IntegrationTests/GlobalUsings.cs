// System.Diagnostics.EventLog comes with Microsoft.Extensions.Hosting; the tests mean their own.
global using EventLog = Pipeline.IntegrationTests.Infrastructure.EventLog;
