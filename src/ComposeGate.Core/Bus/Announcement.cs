namespace ComposeGate.Bus;

/// <summary>What became of a message heard on the bus.</summary>
public enum AnnouncementOutcome
{
    /// <summary>Received and being handled; a crash leaves it here and the redelivery finishes it.</summary>
    Processing,

    /// <summary>The compose it announced is now a candidate.</summary>
    Ingested,

    /// <summary>The compose was already a candidate (an earlier announcement, the directory poll, a bot).</summary>
    Duplicate,

    /// <summary>Not for us: another status than FINISHED, another topic, a compose of another stream.</summary>
    Ignored,

    /// <summary>Not a pungi announcement we can read (not JSON, no compose id or location); the reason says why.</summary>
    Malformed,

    /// <summary>A FINISHED compose that could not be ingested (unreachable for too long, invalid metadata).</summary>
    Failed,
}

/// <summary>
/// One message heard on a stream's AMQP queue, by its AMQP message id, and what became of it. The message is
/// acknowledged to the broker only after this row holds a final outcome, written in the same transaction as the
/// candidate it created; a redelivery of a message already here is acknowledged without doing anything again.
/// </summary>
public sealed class Announcement
{
    public long Id { get; set; }
    public int StreamId { get; set; }

    /// <summary>The AMQP message id (fedora-messaging sets a UUID), or <c>sha256:</c> of topic and body when it has none.</summary>
    public required string MessageId { get; set; }
    public required string Topic { get; set; }
    public string? ComposeId { get; set; }

    /// <summary>The compose status the message carries (STARTED, FINISHED, DOOMED …).</summary>
    public string? ComposeStatus { get; set; }
    public string? Location { get; set; }
    public AnnouncementOutcome Outcome { get; set; }
    public string? Reason { get; set; }
    public string? CandidateId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? HandledAt { get; set; }

    /// <summary>How many times the broker handed it to us (more than one after a crash or a lost connection).</summary>
    public int Deliveries { get; set; }

    /// <summary>How many times ingesting it was tried.</summary>
    public int Attempts { get; set; }

    /// <summary>The message body as received (the first 16 KiB), for the reason of a malformed message.</summary>
    public required string Body { get; set; }
}
