"""Reading and validating a Paraply export (folder or zip): export-level (X) and row (V) rules."""
