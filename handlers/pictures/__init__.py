"""Pictures Rapport uploads (PNG), drawn from pure data with matplotlib. Pure functions: data in, bytes out."""
