namespace Pipeline.IntegrationTests.Infrastructure;

/// <summary>What the test app's event log says the inputs of one run and the containers did (<see cref="InputLedger.Tally"/>).</summary>
/// <param name="Started">Inputs of the run that started at least once.</param>
/// <param name="RanTwice">Starts beyond each input's first.</param>
/// <param name="FinishedTwice">Ends beyond each input's first: an input that ran to its end and then again.</param>
/// <param name="CutOff">Starts that never reached their end (cancelled by a lost connection or a killed host).</param>
/// <param name="Enters">Container <c>enter</c> hooks run.</param>
/// <param name="Exits">Container <c>exit</c> hooks run.</param>
/// <param name="Unbalanced">Containers (subject in process) whose enters and exits differ, described.</param>
public sealed record InputTally(int Started, int RanTwice, int FinishedTwice, int CutOff, int Enters, int Exits, IReadOnlyList<string> Unbalanced);
