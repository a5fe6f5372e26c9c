"""The Discord side: the bot client, its cogs (one per feature) and the message sender."""
