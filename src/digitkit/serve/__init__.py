"""The HTTP service: the competition contract, the JSON API, metrics, limits. Never imports torch."""
