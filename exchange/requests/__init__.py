"""Assistance requests: filed by a State, reviewed and opened by the office, followed to delivery."""
