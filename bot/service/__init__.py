"""The operations the CLI and the Discord cogs share: one seam over the library.

Cogs translate Discord to these calls and their results to embeds; CLI commands
translate arguments to them and results to lines. The rules (limits, fallbacks,
what a member may see) live here, not in either."""
