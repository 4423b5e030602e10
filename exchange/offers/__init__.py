"""Offers of assistance: posted by providers (or the office), listed, searched, paused and closed, imported in bulk."""
