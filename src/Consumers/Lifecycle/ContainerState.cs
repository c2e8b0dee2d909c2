namespace Pipeline.Consumers.Lifecycle;

/// <summary>Where a container is in its life.</summary>
internal enum ContainerState
{
    /// <summary>Built; <c>enter</c> has not run.</summary>
    Created,

    /// <summary><c>enter</c> hooks are running; no input is taken.</summary>
    Entering,

    /// <summary>Every <c>enter</c> finished; inputs run.</summary>
    Ready,

    /// <summary>An <c>enter</c> hook threw; inputs get the error and <c>exit</c> never runs.</summary>
    Failed,

    /// <summary><c>exit</c> hooks are running.</summary>
    Exiting,

    /// <summary>Done.</summary>
    Stopped,
}
