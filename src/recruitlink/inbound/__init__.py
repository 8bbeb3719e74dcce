"""Inbound: what LinkedIn sends back to the ATS/CRM. Pushes land in an inbox (`inbox.py`) and
are processed by workers: integration status changes (`status.py`) and One-Click Exports
(`exports.py`)."""
