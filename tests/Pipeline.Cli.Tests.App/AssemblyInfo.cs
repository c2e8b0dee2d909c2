using Pipeline;

[assembly: App("cliapp")]
