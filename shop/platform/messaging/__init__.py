"""Work through the broker: the outbox, retried consumer tasks, the embedded broker and the beat."""
