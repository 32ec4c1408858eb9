"""What the generator needs from the organisation register, and the register folder it writes.

The generator reads `organisation.yaml` itself (districts, id prefixes, the people it names)
rather than through `bbic_core.register`, because it only needs those few facts and must also
write a filtered copy for the `demo` scale.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bbic_core.synth.vdates import day

SAMPLE_REGISTER = Path(__file__).resolve().parent.parent / "sample_data" / "register" / "organisation.yaml"
_ID = re.compile(r"^([A-Z]{2})(\d{4})$")


@dataclass(frozen=True, slots=True)
class Appointment:
    handlaggare_id: str
    district: str
    role: str  # "bbic_ansvarig" or "lokala_utbildare"
    start: int  # day number
    end: int | None  # day number, None = open


@dataclass(frozen=True)
class RegisterInfo:
    municipality: str
    districts: tuple[str, ...]  # the selected districts, in register order
    prefixes: dict[str, str]  # district -> two-letter id prefix
    appointments: tuple[Appointment, ...]
    document: dict[str, Any]  # the (filtered) YAML document


def _day(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return day(value)
    return day(dt.date.fromisoformat(str(value)))


def _derived_prefix(code: str, taken: set[str]) -> str:
    parts = [p for p in code.split("_") if p]
    candidates = []
    if len(parts) >= 2:
        candidates.append((parts[0][0] + parts[1][0]).upper())
    candidates.append(code[:2].upper())
    candidates.extend((code[0] + c).upper() for c in code[1:] if c.isalpha())
    for cand in candidates:
        if re.fullmatch(r"[A-Z]{2}", cand) and cand not in taken:
            return cand
    for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            if a + b not in taken:
                return a + b
    raise ValueError("no id prefix left")


def read_register(path: Path, district_count: int | None) -> RegisterInfo:
    """Reads `organisation.yaml`; with `district_count`, keeps that many districts of the first network."""
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    all_districts = [str(d["code"]) for d in doc.get("districts") or []]
    networks = doc.get("networks") or []
    if district_count is not None:
        ordered = [str(c) for n in networks for c in n.get("districts", [])] + all_districts
        chosen: list[str] = []
        for code in ordered:
            if code in all_districts and code not in chosen:
                chosen.append(code)
        keep = set(chosen[:district_count])
        doc = _filtered(doc, keep)
    districts = tuple(str(d["code"]) for d in doc.get("districts") or [])
    appointments: list[Appointment] = []
    prefixes: dict[str, str] = {}
    for d in doc.get("districts") or []:
        code = str(d["code"])
        for role in ("bbic_ansvarig", "lokala_utbildare"):
            for a in d.get(role) or []:
                hid = str(a["handlaggare_id"])
                start = _day(a.get("from"))
                appointments.append(Appointment(hid, code, role, start if start is not None else day(
                    dt.date(2008, 1, 1)), _day(a.get("to"))))
                m = _ID.match(hid)
                if m and code not in prefixes:
                    prefixes[code] = m.group(1)
    taken = set(prefixes.values())
    for code in districts:
        if code not in prefixes:
            prefixes[code] = _derived_prefix(code, taken)
            taken.add(prefixes[code])
    municipality = str((doc.get("municipality") or {}).get("code", "0180"))
    return RegisterInfo(municipality, districts, prefixes, tuple(appointments), doc)


def _filtered(doc: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    out = dict(doc)
    out["districts"] = [d for d in doc.get("districts") or [] if str(d["code"]) in keep]
    nets = []
    for n in doc.get("networks") or []:
        members = [c for c in n.get("districts", []) if str(c) in keep]
        if members:
            nets.append({**n, "districts": members})
    out["networks"] = nets
    out["underlicenser"] = [u for u in doc.get("underlicenser") or []
                            if str(u.get("huvudman")) in keep or str(u.get("huvudman")) == str(
                                (doc.get("municipality") or {}).get("code"))]
    return out


class _QuotingDumper(yaml.SafeDumper):
    """Quotes every string of digits: the register refuses an unquoted code such as 0180."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_QuotingDumper.add_representer(str, _represent_str)


def write_register(folder: Path, source: Path, info: RegisterInfo, filtered: bool) -> Path:
    """Copies the register (byte for byte) or writes the filtered document for a district subset."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "organisation.yaml"
    if not filtered:
        target.write_bytes(source.read_bytes())
        return target
    header = (f"# Filtered copy of the built-in Stockholm register for the synthetic export: districts "
              f"{', '.join(info.districts)}.\n")
    body = yaml.dump(info.document, Dumper=_QuotingDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=None, width=110)
    target.write_text(header + body, encoding="utf-8")
    return target
