"""A small ATS standing for a vendor's own system beside recruitlink: its own SQLite database,
its records pushed into recruitlink's data API, and what LinkedIn-side activity changed brought
back, either as signed webhooks (verified with the `standardwebhooks` library) or by polling the
change feed. It imports nothing from recruitlink: it speaks to it only over HTTP, as a vendor's
system would.
"""
