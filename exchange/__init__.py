"""The Exchange: counter-terrorism technical-assistance requests, offers and matches (the factory is
`exchange.app.create_app`; docs/ARCHITECTURE.md maps the packages)."""
