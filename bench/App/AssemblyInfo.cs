using Pipeline;

// The bench's own app: the worker host in this process serves it from this assembly.
[assembly: App("bench")]
