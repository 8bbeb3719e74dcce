"""The control and inspection API under `/sandbox` (app.py) and its Recruiter actions
(recruiter.py), for tests and scripts to drive the sandbox."""
