namespace CallPush.Api.Features.StatisticsChannel;

/// <summary>
/// The first check of an analyst's statement: after leading whitespace and comments it must start with SELECT or WITH.
/// It is only the first fence and the one that gives the clearest message: what the statement may do is decided by
/// PostgreSQL (one statement per Parse, a read-only transaction, the reader role's grants).
/// </summary>
internal static class StatementText
{
    public static string? Problem(string statement)
    {
        var start = SkipWhitespaceAndComments(statement);
        if (start < 0)
        {
            return "options.psql has an unterminated comment";
        }
        if (start == statement.Length)
        {
            return "options.psql is required: the select statement to run";
        }
        var end = start;
        while (end < statement.Length && (char.IsAsciiLetterOrDigit(statement[end]) || statement[end] is '_' or '$'))
        {
            end++;
        }
        var first = statement[start..end];
        if (first.Equals("select", StringComparison.OrdinalIgnoreCase) || first.Equals("with", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var shown = first.Length > 0 ? first : statement.Substring(start, Math.Min(10, statement.Length - start));
        return $"options.psql must be one SELECT statement (WITH ... SELECT is allowed); it starts with '{shown}'";
    }

    /// <summary>The index of the first character that is neither whitespace nor inside a comment; -1 for an unterminated comment.</summary>
    private static int SkipWhitespaceAndComments(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            else if (text.AsSpan(i).StartsWith("--"))
            {
                var newline = text.IndexOf('\n', i);
                i = newline < 0 ? text.Length : newline + 1;
            }
            else if (text.AsSpan(i).StartsWith("/*"))
            {
                // PostgreSQL's block comments nest.
                var depth = 0;
                do
                {
                    if (text.AsSpan(i).StartsWith("/*"))
                    {
                        depth++;
                        i += 2;
                    }
                    else if (text.AsSpan(i).StartsWith("*/"))
                    {
                        depth--;
                        i += 2;
                    }
                    else
                    {
                        i++;
                    }
                    if (i >= text.Length && depth > 0)
                    {
                        return -1;
                    }
                }
                while (depth > 0);
            }
            else
            {
                return i;
            }
        }
        return i;
    }
}
