"""Writers of files: spreadsheets and reports."""
