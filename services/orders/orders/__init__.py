"""Orders: placing, validating and tracking sales orders through their life."""
