using Pipeline;

[assembly: App("itest")]
