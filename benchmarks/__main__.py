"""``python -m benchmarks`` (``make bench``) runs every benchmark."""

from benchmarks.report_render import main

main()
