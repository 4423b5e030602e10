"""Demo requests, offers and matches (filled in as those parts of the product land)."""


def load() -> None:
    return None
