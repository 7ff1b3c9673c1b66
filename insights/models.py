"""Models of the insights app (none yet)."""
