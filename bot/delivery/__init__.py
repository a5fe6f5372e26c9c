"""Getting alerts to people: outbox routing and the dispatcher."""
