"""recruitlink: the open-source ATS/CRM side of LinkedIn Recruiter System Connect and CRM
Connect."""

__version__ = "0.1.0"
