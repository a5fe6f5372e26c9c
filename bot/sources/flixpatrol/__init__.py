"""FlixPatrol: its official API and its pages."""
