"""Models of the ranking app (filled in by its issue)."""
