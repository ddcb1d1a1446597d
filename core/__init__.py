"""The shared kernel every app may import: errors and their handler, pagination,
throttling, request logging, health and the SQL dialect helper. It imports no app."""
