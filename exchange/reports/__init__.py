"""Views across records: the needs matrix, dashboards, progress reports, exports (CSV, XLSX, IATI XML)
and bulk imports of offers. Plain modules: they read through the access policy and know nothing of HTTP."""
