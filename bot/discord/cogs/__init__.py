"""One cog per feature; each is an extension the bot loads on its own."""
