"""Benchmarks: scripts that print figures beside their baselines; not part of the test run."""
