"""Values in and out: parsing what people type, showing numbers and dates, folding text for matching, vocabularies, cell safety."""
