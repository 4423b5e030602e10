"""The small core every area builds on: configuration, extensions, the guard and route rules, visibility,
move tables and statuses, base models and schemas, filters, search, errors, texts."""
