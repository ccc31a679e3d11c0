"""English formats: Django's, with the time zone named on every date and time (Pacific)."""

DATETIME_FORMAT = "N j, Y, P T"  # Nov. 27, 2026, 10:04 p.m. PST
