from django.db import models


class RateCounter(models.Model):
    """Hits per key in a fixed time window, shared by every web process (see ratelimit.py)."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")
        ]
