"""The outbound sync: ATS/CRM store -> LinkedIn, historical and continuous."""
