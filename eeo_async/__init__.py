"""eeo_async."""
