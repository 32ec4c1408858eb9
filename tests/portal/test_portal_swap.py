"""A nightly swap under a running portal: the pipeline neither waits nor fails, the next request shows it."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pipeline_helpers as ph
import pytest
from portal_server import INTERNAL_AS_OF, Deployment, PortalServer, start_portal


@pytest.fixture(scope="module")
def own_deployment(portal_deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """A copy of the shared deployment: this test loads a new export into it."""
    root = tmp_path_factory.mktemp("swap") / "site"
    shutil.copytree(
        portal_deployment.root, root, symlinks=True, ignore=shutil.ignore_patterns("portal-*", "outside*")
    )
    return Deployment(root, ph.Env(root))


@pytest.fixture(scope="module")
def portal(own_deployment: Deployment) -> Iterator[PortalServer]:
    server = start_portal(own_deployment, tag="swap")
    try:
        yield server
    finally:
        server.stop()


def test_swap_under_load(portal: PortalServer, own_deployment: Deployment) -> None:
    client = portal.login("samordnare")
    before = client.get("/ny-rapport").text
    assert f"uppgifter per {INTERNAL_AS_OF}" in before and "export E2" in before

    stop = threading.Event()
    failures: list[str] = []
    served = []

    def read() -> None:
        reader = portal.login("bromma")
        while not stop.is_set():
            for path in (
                "/ny-rapport",
                "/ny-rapport/dokument?omrade=bromma&rapport=verksamhet&lage=internal"
                "&format=csv&period=year_to_date",
                "/status",
            ):
                response = reader.get(path)
                if response.status_code not in (200, 403):
                    failures.append(f"{path}: {response.status_code}")
                served.append(path)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        ph.make_export(own_deployment.env.inbox, "E3", created_at="2025-03-31T22:00:00+01:00")
        result = ph.run(own_deployment.env)
    finally:
        stop.set()
        for t in readers:
            t.join()
    descriptions = ph.failure_descriptions(result)
    assert result.success, descriptions
    assert not any("lock" in d.lower() for d in descriptions)
    assert not failures and served

    after = client.get("/ny-rapport").text
    assert "uppgifter per 2025-03-31" in after and "export E3" in after
    made = client.get(
        "/ny-rapport/dokument?omrade=bromma&rapport=verksamhet&lage=internal&format=csv&period=year_to_date"
    )
    assert made.status_code == 200 and ";2025-03-31;" in made.text


def test_portal_holds_no_lock_on_the_snapshot(portal: PortalServer, own_deployment: Deployment) -> None:
    """While the portal serves, the pipeline's read-write connection to the main file opens at once."""
    import duckdb

    client = portal.login("samordnare")
    assert client.get("/status").status_code == 200
    con = duckdb.connect(str(own_deployment.env.db))  # read-write, as the swap opens it
    try:
        assert con.execute("SELECT count(*) FROM snapshot_meta").fetchone()
        assert client.get("/status").status_code == 200  # and the portal keeps serving meanwhile
    finally:
        con.close()
    copies = list(Path(portal.config.cache_dir, "snapshot").glob("*.duckdb"))
    assert 1 <= len(copies) <= 2
