"""`recruitlink certify`: LinkedIn's certification cases run against the configured LinkedIn
with a throwaway tenant, and the report a vendor hands LinkedIn (see `runner`)."""

from .cases import Case, cases_for
from .harness import CaseResult, Options, Report
from .report import write_report
from .runner import Certification

__all__ = ["Case", "CaseResult", "Certification", "Options", "Report", "cases_for",
           "write_report"]
