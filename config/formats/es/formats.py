"""Spanish formats: Django's dates, but numbers and money grouped as in English and as
Spanish is written in the United States and Mexico ($130,000.00, 16,331), so that figures
read the same in both languages (issue #11). Times name the time zone (Pacific)."""

DATETIME_FORMAT = r"j \d\e F \d\e Y \a \l\a\s H:i T"  # 27 de noviembre de 2026 a las 22:04 PST
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
