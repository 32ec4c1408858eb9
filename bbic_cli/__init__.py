"""The `bbic` command: validate, spec, synth, run, report."""
