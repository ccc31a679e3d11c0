"""``python -m benchmarks`` (``make bench``) runs every benchmark."""

from benchmarks import report_render, sweep

report_render.main()
sweep.main()
