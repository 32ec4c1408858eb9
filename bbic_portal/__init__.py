"""The web portal (`bbic serve`): sign-in, access by role, the report archive, reports on demand, audit.

Access to every document and page is decided in one place, `bbic_portal.access.may_read`.
"""
