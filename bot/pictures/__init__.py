"""Pictures: the rank history and the world map, drawn off the event loop."""
