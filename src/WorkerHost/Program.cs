// The generic worker host. Issue 4 gives it the RabbitMQ transport and app loading; until then it refuses to start.
throw new NotSupportedException("The standalone worker host is not implemented yet; use the embedded mode (Pipeline.Embedded).");
