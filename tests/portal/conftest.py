"""The portal tests share one small deployment and one running portal per worker (portal_server.py)."""

from portal_server import portal_deployment, portal_server

__all__ = ["portal_deployment", "portal_server"]
