"""``python -m benchmarks`` (``make bench``) runs every benchmark."""

import subprocess
import sys

from benchmarks import report_render, sweep

report_render.main()
sweep.main()
# The HTTP benchmark uses its own database and settings: a process of its own.
subprocess.run([sys.executable, "-m", "benchmarks.http"], check=True)
