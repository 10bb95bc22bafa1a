using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ComposeGate.Web.Bus;

/// <summary>Connections the way every bus link of the app makes them: our own reconnect loop, TLS from settings, no secrets shown.</summary>
public static class AmqpConnections
{
    public static ConnectionFactory Factory(AmqpEndpointSettings settings, string clientName)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(settings.Url!),
            ClientProvidedName = clientName,
            // The link's own loop reconnects with backoff and declares again, and shows each state.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(20),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            ContinuationTimeout = TimeSpan.FromSeconds(20),
            ConsumerDispatchConcurrency = 1,
        };
        if (factory.Ssl.Enabled)
        {
            factory.Ssl.ServerName = factory.HostName;
            if (settings.ClientCertificate is { } certificate)
            {
                factory.Ssl.Certs = [X509Certificate2.CreateFromPemFile(certificate, settings.ClientKey)];
            }
            if (settings.CaCertificate is { } ca)
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(ca);
                factory.Ssl.CertificateValidationCallback = (_, presented, _, errors) => ChainsTo(presented, errors, roots);
            }
        }
        return factory;
    }

    /// <summary>A fault in words a release engineer can act on, without the stack or any credential.</summary>
    public static string Describe(Exception e) => e switch
    {
        BrokerUnreachableException { InnerException: { } inner } => "broker unreachable: " + Describe(inner),
        AuthenticationFailureException => "the broker refused the credentials",
        AlreadyClosedException { ShutdownReason: { } reason } => $"connection closed: {reason.ReplyCode} {reason.ReplyText}",
        OperationInterruptedException { ShutdownReason: { } reason } => $"{reason.ReplyCode} {reason.ReplyText}",
        AggregateException { InnerExceptions.Count: > 0 } aggregate => Describe(aggregate.InnerExceptions[0]),
        _ => e.Message,
    };

    private static bool ChainsTo(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(presented));
    }
}
