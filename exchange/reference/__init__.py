"""Reference data: UN M49 regions and countries, themes and pillars, working groups, modalities, languages."""
