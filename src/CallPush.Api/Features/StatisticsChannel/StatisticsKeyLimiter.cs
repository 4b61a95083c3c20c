using Microsoft.Extensions.Options;

namespace CallPush.Api.Features.StatisticsChannel;

/// <summary>How many statements each API key runs at this moment (per instance), so one key cannot take every connection.</summary>
internal sealed class StatisticsKeyLimiter(IOptions<StatisticsChannelOptions> options)
{
    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);

    public bool TryEnter(string keyPrefix)
    {
        lock (_running)
        {
            var running = _running.GetValueOrDefault(keyPrefix);
            if (running >= options.Value.MaxConcurrentStatementsPerKey)
            {
                return false;
            }
            _running[keyPrefix] = running + 1;
            return true;
        }
    }

    public void Exit(string keyPrefix)
    {
        lock (_running)
        {
            if (_running.GetValueOrDefault(keyPrefix) <= 1)
            {
                _running.Remove(keyPrefix);
            }
            else
            {
                _running[keyPrefix]--;
            }
        }
    }
}
