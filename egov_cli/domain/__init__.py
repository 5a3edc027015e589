"""The catalogue's rules: services, departments, online procedures, the maturity scale, targets, the reference catalogue. Functions take a session and return data; no printing, no commit."""
