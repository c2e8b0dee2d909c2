using Pipeline.Cli.Hosting;

// The `pipeline` command: every verb, its options and its exit codes are in CliCommands; docs/cli.md shows them.
return await CliCommands.RunAsync(args);
