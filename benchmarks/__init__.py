"""Speed and accuracy against peer libraries. Run with ``make bench`` or ``python -m benchmarks``."""
