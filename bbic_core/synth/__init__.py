"""Synthetic Paraply exports at every scale (`bbic synth`): deterministic, vectorised, with faults on demand.

`generate(out, scale=..., seed=..., faults=..., encoding=..., as_of=...)` writes `out/export/`
(eight CSV files and `manifest.json`), `out/register/` (`organisation.yaml`, `utbildning.csv`) and,
with faults, `out/faults.json`. Modules: `scales` (sizes), `people` (personnummer), `cases` (the
case chain), `staff` (users and training), `tables` (ids and row order), `faults`, `writer`.
"""

from bbic_core.synth.generate import DEFAULT_AS_OF, SynthResult, generate
from bbic_core.synth.scales import SCALES, Scale

__all__ = ["DEFAULT_AS_OF", "SCALES", "Scale", "SynthResult", "generate"]
