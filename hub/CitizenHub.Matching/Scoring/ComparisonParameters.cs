namespace CitizenHub.Matching.Scoring;

/// <summary>
/// One level of a comparison (e.g. <c>exact</c>, <c>close</c>, <c>different</c>) with its Fellegi–Sunter
/// probabilities: <see cref="M"/> that a true match shows this level, <see cref="U"/> that a non-match does.
/// </summary>
public sealed record ComparisonLevelParameters(string Level, double M, double U)
{
    /// <summary>The match weight in bits: log2(m/u). Positive is evidence for one person, negative against.</summary>
    public double Weight => Math.Log2(M / U);
}

/// <summary>
/// The parameters of one compared field. Level 0 is always <c>missing</c> (a side has no value): it carries no
/// evidence, so its m and u are not estimated and its weight is taken as 0.
/// </summary>
public sealed record ComparisonParameters(string Comparison, IReadOnlyList<ComparisonLevelParameters> Levels);
