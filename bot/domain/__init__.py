"""Pure rules: no I/O, no Slack, no SQL. The clock and the RNG are always arguments."""
