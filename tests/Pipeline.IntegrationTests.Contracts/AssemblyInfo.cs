using Pipeline;

// The contracts name their app once for the assembly, as an app assembly does.
[assembly: App("itest")]
