"""LinkedIn Recruiter, the people's side: its pages (pages.py) and the actions behind them
(actions.py: exports, InMails, notes, admin settings), the member directory, the In-ATS /
In-CRM indicator, who may see what, and the signed-in session."""
