"""Entry point of the `bbic` console command. Each sub-command lives in its own module."""

from __future__ import annotations

import typer

from bbic_cli import report_cmd, run_cmd, spec_cmd, synth_cmd, validate_cmd

app = typer.Typer(
    name="bbic",
    help="BBIC-uppföljning: validera Paraply-exporter, läs in dem och ta fram rapporterna.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals could hold personal data
)

app.command("validate")(validate_cmd.validate)
app.command("spec")(spec_cmd.spec)
app.command("synth")(synth_cmd.synth)
app.command("run")(run_cmd.run)
app.command("report")(report_cmd.report)

if __name__ == "__main__":
    app()
