"""Models arrive with the feature (see the open issues)."""
