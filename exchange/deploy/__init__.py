"""Running the Exchange in production: the configuration check, backups and restores, their commands."""
