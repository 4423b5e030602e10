"""Loading data: reference data (idempotent upserts from exchange/reference_data) and the demo data set."""
