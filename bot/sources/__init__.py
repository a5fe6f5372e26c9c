"""Chart sources: each turns one fetch into a snapshot of chart rows."""
