"""What a role tells about itself: logs, request ids, metrics and traces."""
