"""Entry point of the `bbic` console command. Each sub-command lives in its own module."""

from __future__ import annotations

import sys

import typer
from typer._click.exceptions import UsageError  # typer vendors click; its usage errors exit 2 by default

from bbic_cli import audit_cmd, report_cmd, run_cmd, serve_cmd, spec_cmd, synth_cmd, users_cmd, validate_cmd

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
app.command("rebuild")(run_cmd.rebuild)
app.command("report")(report_cmd.report)
app.command("serve")(serve_cmd.serve)
app.add_typer(users_cmd.users_app, name="users")
app.command("audit")(audit_cmd.audit)


def main() -> None:
    """Console script: exit 2 is reserved for a refused export, so a usage error exits 1."""
    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        exc.show()
        sys.exit(1)
    except typer.Abort:
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
