"""Reports: SQL aggregation into report documents (``document.Report``); no formatting here."""
