"""Tools for evaluators and developers: new, fmt, synth, source add."""
