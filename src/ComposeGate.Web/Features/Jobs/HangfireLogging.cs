namespace ComposeGate.Web.Features.Jobs;

/// <summary>
/// Hangfire logs through one process-wide provider. This one writes to the app's logging and creates each logger
/// when it first writes, never failing: a provider bound to a stopped app (the tests start several apps in one
/// process) must not break the jobs and dashboard of the next.
/// </summary>
internal sealed class HangfireLogging(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    public Hangfire.Logging.ILog GetLogger(string name) => new Logger(factory, name);

    private sealed class Logger(ILoggerFactory factory, string name) : Hangfire.Logging.ILog
    {
        private ILogger? logger;

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                logger ??= factory.CreateLogger(name);
                var level = logLevel switch
                {
                    Hangfire.Logging.LogLevel.Trace => LogLevel.Trace,
                    Hangfire.Logging.LogLevel.Debug => LogLevel.Debug,
                    Hangfire.Logging.LogLevel.Info => LogLevel.Information,
                    Hangfire.Logging.LogLevel.Warn => LogLevel.Warning,
                    Hangfire.Logging.LogLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                if (!logger.IsEnabled(level))
                {
                    return false;
                }
                if (messageFunc is not null)
                {
                    logger.Log(level, default, messageFunc(), exception, static (message, _) => message);
                }
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
